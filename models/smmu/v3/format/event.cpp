#include "models/smmu/v3/format/event.h"

#include <cinttypes>
#include <cstdio>

namespace iopf::smmu::v3 {

namespace {

bool is_translation_fault(EventId id) {
    return id == EventId::F_TRANSLATION || id == EventId::F_ADDR_SIZE ||
           id == EventId::F_ACCESS || id == EventId::F_PERMISSION;
}

// Records carrying RnW/InD/PnU.
bool has_attrs(EventId id) {
    return is_translation_fault(id) || id == EventId::F_WALK_EABT ||
           id == EventId::F_TLB_CONFLICT || id == EventId::F_UUT ||
           id == EventId::F_TRANSL_FORBIDDEN;
}

// Records carrying S2 and CLASS.
bool has_stage(EventId id) {
    return is_translation_fault(id) || id == EventId::F_WALK_EABT ||
           id == EventId::F_TLB_CONFLICT;
}

}  // namespace

bool event_has_stall(EventId id) { return is_translation_fault(id); }

bool event_has_input_addr(EventId id) {
    return has_attrs(id) || id == EventId::F_BAD_ATS_TREQ;
}

bool event_has_ipa(EventId id) {
    return is_translation_fault(id) || id == EventId::F_TLB_CONFLICT;
}

bool event_has_fetch_addr(EventId id) {
    return id == EventId::F_STE_FETCH || id == EventId::F_CD_FETCH ||
           id == EventId::F_VMS_FETCH || id == EventId::F_WALK_EABT;
}

void encode_event(const EventRecord& e, uint64_t w[4]) {
    const EventId id = e.id;
    uint64_t w0 = evt_f::ID.make(static_cast<uint8_t>(id)) | evt_f::SSID.make(e.ssid) |
                  evt_f::SID.make(e.sid);
    if (id != EventId::C_BAD_SUBSTREAMID) w0 |= evt_f::SSV.make(e.ssv);
    uint64_t w1 = 0, w2 = 0, w3 = 0;
    if (event_has_stall(id)) w1 |= evt_f::STAG.make(e.stag) | evt_f::STALL.make(e.stall);
    if (has_attrs(id)) {
        w1 |= evt_f::PNU.make(e.pnu) | evt_f::IND.make(e.ind) | evt_f::RNW.make(e.rnw);
    }
    if (has_stage(id)) {
        w1 |= evt_f::S2.make(e.s2) | evt_f::CLASS.make(static_cast<uint8_t>(e.event_class));
    }
    if (event_has_ipa(id)) w1 |= evt_f::NSIPA.make(e.nsipa);
    if (id == EventId::F_PERMISSION) w1 |= evt_f::TTRNW.make(e.ttrnw);
    if (event_has_input_addr(id)) {
        w2 = e.input_addr;
        if (id == EventId::F_BAD_ATS_TREQ) w2 &= ~uint64_t{0xfff};  // InputAddr[63:12]
    }
    if (event_has_ipa(id)) w3 = e.ipa & evt_f::IPA.mask();
    if (event_has_fetch_addr(id)) w3 = e.fetch_addr & evt_f::FETCH_ADDR.mask();
    w[0] = w0;
    w[1] = w1;
    w[2] = w2;
    w[3] = w3;
}

EventRecord decode_event(const uint64_t w[4]) {
    EventRecord e;
    for (int i = 0; i < 4; ++i) e.raw[i] = w[i];
    const EventId id = static_cast<EventId>(evt_f::ID.get(w[0]));
    e.id = id;
    e.ssv = evt_f::SSV.get(w[0]);
    e.ssid = static_cast<uint32_t>(evt_f::SSID.get(w[0]));
    e.sid = static_cast<uint32_t>(evt_f::SID.get(w[0]));
    if (id == EventId::C_BAD_SUBSTREAMID) e.ssv = false;  // no SSV qualifier
    if (event_has_stall(id)) {
        e.stag = static_cast<uint16_t>(evt_f::STAG.get(w[1]));
        e.stall = evt_f::STALL.get(w[1]);
    }
    if (has_attrs(id)) {
        e.pnu = evt_f::PNU.get(w[1]);
        e.ind = evt_f::IND.get(w[1]);
        e.rnw = evt_f::RNW.get(w[1]);
    }
    if (has_stage(id)) {
        e.s2 = evt_f::S2.get(w[1]);
        e.event_class = static_cast<EventClass>(evt_f::CLASS.get(w[1]));
    }
    if (event_has_ipa(id)) {
        e.nsipa = evt_f::NSIPA.get(w[1]);
        e.ipa = w[3] & evt_f::IPA.mask();
    }
    if (id == EventId::F_PERMISSION) e.ttrnw = evt_f::TTRNW.get(w[1]);
    if (event_has_input_addr(id)) e.input_addr = w[2];
    if (event_has_fetch_addr(id)) e.fetch_addr = w[3] & evt_f::FETCH_ADDR.mask();
    return e;
}

const char* event_class_name(EventClass c) {
    switch (c) {
    case EventClass::CD: return "CD";
    case EventClass::TT: return "TT";
    case EventClass::IN: return "IN";
    }
    return "RESERVED";
}

std::string to_string(const EventRecord& e) {
    char buf[96];
    std::string s = event_name(e.id);
    if (s.rfind("UNKNOWN", 0) == 0) {
        std::snprintf(buf, sizeof buf, "EVENT_0x%02x", static_cast<unsigned>(e.id));
        s = buf;
    }
    std::snprintf(buf, sizeof buf, " sid=%" PRIu32, e.sid);
    s += buf;
    if (e.ssv || e.id == EventId::C_BAD_SUBSTREAMID) {
        std::snprintf(buf, sizeof buf, " ssid=%" PRIu32, e.ssid);
        s += buf;
    }
    if (event_has_input_addr(e.id)) {
        std::snprintf(buf, sizeof buf, " addr=0x%" PRIx64, e.input_addr);
        s += buf;
    }
    if (has_attrs(e.id)) {
        std::snprintf(buf, sizeof buf, " rnw=%d ind=%d pnu=%d", e.rnw, e.ind, e.pnu);
        s += buf;
    }
    if (has_stage(e.id)) {
        std::snprintf(buf, sizeof buf, " s2=%d class=%s", e.s2, event_class_name(e.event_class));
        s += buf;
    }
    if (event_has_ipa(e.id) && e.s2) {
        std::snprintf(buf, sizeof buf, " ipa=0x%" PRIx64 " nsipa=%d", e.ipa, e.nsipa);
        s += buf;
    }
    if (e.id == EventId::F_PERMISSION && e.event_class == EventClass::TT) {
        std::snprintf(buf, sizeof buf, " ttrnw=%d", e.ttrnw);
        s += buf;
    }
    if (event_has_fetch_addr(e.id)) {
        std::snprintf(buf, sizeof buf, " fetch=0x%" PRIx64, e.fetch_addr);
        s += buf;
    }
    if (event_has_stall(e.id)) {
        std::snprintf(buf, sizeof buf, " stall=%d stag=%u", e.stall,
                      static_cast<unsigned>(e.stag));
        s += buf;
    }
    return s;
}

}  // namespace iopf::smmu::v3
