// SMMUv3 Event queue records (32 bytes = 4 little-endian u64 words).
// Spec section 7.3 "Event records" (IHI 0070 G.b).
//
// word0: EVENT_ID [7:0], SSV [11], SubstreamID [31:12], StreamID [63:32]
// word1 (overall 64..127), for F_TRANSLATION / F_ADDR_SIZE / F_ACCESS /
//   F_PERMISSION: STAG [15:0], Stall [31], PnU [33], InD [34], RnW [35],
//   NSIPA [38], S2 [39], CLASS [41:40], TTRnW [44] (F_PERMISSION only).
// word2: InputAddr [63:0]
// word3: IPA [55:12] (stage 2 faults) or FetchAddr [55:3] (F_STE_FETCH,
//   F_CD_FETCH, F_VMS_FETCH, F_WALK_EABT).
// Which fields a record carries depends on EVENT_ID; encode_event() writes
// only those, the other bits are RES0.
//
// Spec-vs-Linux notes: IPA and FetchAddr extend to bit 55 (Linux masks IPA at
// bit 51 and does not decode FetchAddr). C_BAD_SUBSTREAMID has no SSV: its
// SubstreamID is always valid and bit 11 is RES0.
// Not confirmed from the spec text (figures): NSIPA at word1[38], the
// F_UUT / F_TRANSL_FORBIDDEN attribute bits (taken as the F_TRANSLATION ones).
#pragma once
#include <cstdint>
#include <string>

#include "models/smmu/fault.h"
#include "models/smmu/v3/format/regs.h"

namespace iopf::smmu::v3 {

// CLASS field: which access a stage 2 (or walk) fault relates to.
enum class EventClass : uint8_t { CD = 0b00, TT = 0b01, IN = 0b10 };

namespace evt_f {
constexpr Field ID{7, 0};
constexpr Field SSV{11, 11};
constexpr Field SSID{31, 12};
constexpr Field SID{63, 32};
constexpr Field STAG{15, 0};    // word1
constexpr Field STALL{31, 31};  // word1
constexpr Field PNU{33, 33};    // word1
constexpr Field IND{34, 34};    // word1
constexpr Field RNW{35, 35};    // word1
constexpr Field NSIPA{38, 38};  // word1
constexpr Field S2{39, 39};     // word1
constexpr Field CLASS{41, 40};  // word1
constexpr Field TTRNW{44, 44};  // word1, F_PERMISSION
constexpr Field IPA{55, 12};    // word3
constexpr Field FETCH_ADDR{55, 3};  // word3
}  // namespace evt_f

struct EventRecord {
    EventId id = EventId::None;
    bool ssv = false;
    uint32_t ssid = 0;
    uint32_t sid = 0;
    uint16_t stag = 0;
    bool stall = false;
    bool pnu = false;   // privileged
    bool ind = false;   // instruction fetch
    bool rnw = false;   // read (1) / write (0)
    bool nsipa = false;
    bool s2 = false;    // fault at stage 2
    EventClass event_class = EventClass::CD;
    bool ttrnw = false;
    uint64_t input_addr = 0;
    uint64_t ipa = 0;         // byte address, bits [55:12]
    uint64_t fetch_addr = 0;  // byte address, bits [55:3]
    uint64_t raw[4] = {};     // words as decoded (encode_event ignores this)
};

// Field groups an event ID carries.
bool event_has_stall(EventId id);        // STAG, Stall (+ attributes, CLASS, IPA)
bool event_has_input_addr(EventId id);
bool event_has_ipa(EventId id);
bool event_has_fetch_addr(EventId id);

void encode_event(const EventRecord& e, uint64_t w[4]);
EventRecord decode_event(const uint64_t w[4]);

// One-line decoded form for the queue log, e.g.
// "F_TRANSLATION sid=3 ssid=1 addr=0x10000000 rnw=1 ind=0 pnu=0 s2=0 class=IN stall=1 stag=5".
std::string to_string(const EventRecord& e);
const char* event_class_name(EventClass c);

}  // namespace iopf::smmu::v3
