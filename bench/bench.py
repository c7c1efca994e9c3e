#!/usr/bin/env python3
"""Speed and scale figures for iopf-sim against the bare SystemC kernel (bench/README.md).

Called by bench/run. Generates its platforms into a temporary directory, runs every
measurement REPEAT times with the scenarios interleaved (so a load change on a shared
machine hits all of them alike), and takes the median of each.

Every cost is a marginal cost from two runs of the same platform: CPU seconds of the process
(user + system, from wait4) of a big run minus those of a small run, divided by the
difference in work, so elaboration, driver boot and output writing cancel out. Memory per
stalled transaction is the same difference on the peak RSS, minus the simulated memory
pages the run touched (memories.pages_touched x 4 KiB).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

KIB = 1024


def dram(channels=4):
    return {"type": "memory", "base": "0x80000000", "size": "4GiB", "latency": "80ns",
            "bandwidth": 16, "channels": channels}


def host(cores=4, **extra):
    h = {"type": "host", "cpu": {"cores": cores},
         "kernel_pool": {"base": "0x80000000", "size": "256MiB"}}
    h.update(extra)
    return h


def smmu_v3(**features):
    f = {"stall_model": "stall_term", "stall_max": 64}
    f.update(features)
    return {"type": "smmu_v3", "mmio_base": "0x09000000", "features": f,
            "tlb": {"entries": 128, "ways": 4}}


def platform_hits(transactions, devices=1):
    """`devices` DMA engines, one outstanding access each, random 64 B reads over their own
    mapped pages: after the first access of each page every translation is a TLB hit."""
    pages = 16 if devices == 1 else 1
    p = {"platform": {"description": "bench: TLB-hit traffic", "duration": "10s"},
         "bus": {"type": "interconnect", "latency": "2ns"}, "dram": dram(),
         "smmu": smmu_v3(), }
    streams = {}
    per = max(1, transactions // devices)
    for d in range(devices):
        va = 0x10000000 + d * pages * 4 * KIB
        p[f"dma{d}"] = {"type": "dma_engine", "smmu": "smmu", "sid": d + 1, "outstanding": 1,
                        "quantum": "1us",   # fast mode: the bare quantum-keeper loop's quantum
                        "jobs": {"a": {"op": "read", "pattern": "random", "base": hex(va),
                                       "length": pages * 4 * KIB, "burst": 64, "count": per}}}
        streams[f"dma{d}"] = {"contexts": {"main": {"asid": d + 1, "mappings": {
            "buf": {"va": hex(va), "pa": hex(0x90000000 + d * pages * 4 * KIB),
                    "size": pages * 4 * KIB, "perm": "rw"}}}}}
    p["host"] = host(streams=streams)
    return p


def platform_stall(faults, write=True, devices=1, outstanding=1, smmus=1):
    """Stall path with SVA: each access touches a fresh page of the process's heap, faults,
    stalls, and is resumed after the host's IOPF path pages it in (writes allocate and clear
    a page; reads map the shared zero page, so no simulated memory grows)."""
    per_dev = max(1, faults // devices)
    stall_max = min(65535, max(64, devices * outstanding // smmus + 1))
    evtq_log2 = max(7, min(19, (stall_max - 1).bit_length() + 1))
    p = {"platform": {"description": "bench: stall-path fault round trips", "duration": "100s"},
         "bus": {"type": "interconnect", "latency": "2ns"}, "dram": dram()}
    for s in range(smmus):
        sm = smmu_v3(stall_max=stall_max, evtq_log2size=evtq_log2)
        sm["mmio_base"] = hex(0x09000000 + s * 0x100000)
        p[f"smmu{s}"] = sm
    procs, streams = {}, {}
    heap = per_dev * 4 * KIB
    for d in range(devices):
        p[f"dma{d}"] = {"type": "dma_engine", "smmu": f"smmu{d % smmus}", "sid": 16 + d, "can_stall": True,
                        "outstanding": outstanding,
                        "jobs": {"a": {"op": "write" if write else "read", "ssid": d + 1, "pattern": "strided",
                                       "base": "0x400000000", "length": heap, "stride": "4KiB", "burst": 64}}}
        procs[f"p{d}"] = {"pasid": d + 1, "asid": d + 1,
                          "vmas": {"heap": {"start": "0x400000000", "size": heap, "perm": "rw"}}}
        streams[f"dma{d}"] = {"sva": f"p{d}"}
    p["host"] = host(mm={"user_pool": {"base": "0x100000000", "size": "2GiB"}}, processes=procs,
                     streams=streams, smmu_driver={"evtq_log2size": evtq_log2})
    return p


def platform_pri(faults):
    """PRI path: a PCIe endpoint, one outstanding access, one page per Page Request Group;
    every access misses its ATC, gets a negative ATS completion, sends a Page Request and
    retries ATS after the PRG Response."""
    heap = faults * 4 * KIB
    return {"platform": {"description": "bench: PRI fault round trips", "duration": "100s"},
            "bus": {"type": "interconnect", "latency": "2ns"}, "dram": dram(),
            "smmu": {"type": "smmu_v3", "mmio_base": "0x09000000",
                     "features": {"ats": True, "pri": True, "priq_log2size": 8}},
            "rc0": {"type": "root_complex", "smmu": "smmu", "latency": "150ns", "tlp_cost": "4ns", "bandwidth": 8},
            "ep0": {"type": "pcie_endpoint", "root_complex": "rc0", "sid": 256, "ecam_base": "0x40000000",
                    "outstanding": 1, "atc": {"entries": 64, "ways": 4},
                    "pri": {"capacity": 64, "prg_pages": 1},
                    "jobs": {"a": {"op": "write", "ssid": 1, "pattern": "strided", "base": "0x400000000",
                                   "length": heap, "stride": "4KiB", "burst": 64}}},
            "host": host(mm={"user_pool": {"base": "0x100000000", "size": "2GiB"}},
                         processes={"p0": {"pasid": 1, "asid": 10, "vmas": {
                             "buf": {"start": "0x400000000", "size": heap, "perm": "rw"}}}},
                         streams={"ep0": {"sva": "p0", "pri_credits": 16}})}


def platform_gpu(faults):
    """GPU path: a GPU behind an SMMU-500 context bank, one wavefront, every access to an
    unmapped region; each stalls (SCTLR.CFCFG), the context fault IRQ runs the GPU driver,
    which resumes it at once (policy resume_now, terminating the access)."""
    return {"platform": {"description": "bench: SMMU-500 stall round trips", "duration": "100s"},
            "bus": {"type": "interconnect", "latency": "2ns"}, "dram": dram(),
            "smmu": {"type": "smmu_v2", "mmio_base": "0x0a000000", "clock_mhz": 1000,
                     "features": {"context_banks": 8, "smr_groups": 16}, "tlb": {"entries": 128, "ways": 4}},
            "gpu0": {"type": "gpu", "smmu": "smmu", "sid": 16, "wavefronts": 1, "mmio_base": "0x0b000000",
                     "jobs": {"a": {"op": "read", "base": "0x100000000", "length": "64KiB", "burst": 64,
                                    "count": faults,
                                    "bad": {"every": 1, "base": "0x200000000", "length": "64KiB"}}}},
            "host": host(gpu_driver={"policy": "resume_now", "hupcf": True},
                         streams={"gpu0": {"contexts": {"main": {"asid": 1, "mappings": {
                             "buf": {"va": "0x100000000", "pa": "0x90000000", "size": "64KiB",
                                     "perm": "rw"}}}}}})}


class Runner:
    def __init__(self, sim, bare, tmp):
        self.sim, self.bare, self.tmp = sim, bare, tmp
        self.n = 0

    def sim_run(self, plat, args=()):
        """Runs iopf-sim on a platform dict; returns cpu_s, peak RSS KiB, stats, rc, error."""
        self.n += 1
        pf = os.path.join(self.tmp, f"p{self.n}.json")
        sf = os.path.join(self.tmp, f"s{self.n}.json")
        with open(pf, "w") as f:
            json.dump(plat, f)
        argv = [self.sim, "--platform", pf, "--quiet", "--stats", sf] + list(args)
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             env=dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1"))
        err = p.stderr.read()
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        stats = None
        if os.path.exists(sf):
            try:
                with open(sf) as f:
                    stats = json.load(f)
            except ValueError:
                stats = None
        for f in (pf, sf):
            if os.path.exists(f):
                os.remove(f)
        for a in args:
            if a.endswith(".vcd") and os.path.exists(a):
                os.remove(a)
        return dict(cpu=ru.ru_utime + ru.ru_stime, rss_kib=ru.ru_maxrss, stats=stats, rc=p.returncode,
                    err=err.decode(errors="replace").strip().splitlines()[-1:] if err else [])

    def bare_run(self, mode, n, devices=1):
        out = subprocess.run([self.bare, mode, str(n), str(devices)], check=True, capture_output=True,
                             env=dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")).stdout
        return json.loads(out.decode().strip().splitlines()[-1])


def faults_closed(stats):
    return stats["faults"]["count"] if stats else 0


def pages_touched(stats):
    return sum(m.get("pages_touched", 0) for m in stats.get("memories", {}).values()) if stats else 0


def invariants_ok(stats):
    return bool(stats) and all(v == 0 for v in stats.get("invariants", {}).values())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sim", required=True)
    ap.add_argument("--bare", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every run's size")
    ap.add_argument("--stalled", default="10,1000,100000")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--storm", type=int, default=0,
                    help="also run a stall storm of N and N/10 faults (read faults) and report peak RSS")
    a = ap.parse_args()
    sc = lambda n: max(1, int(n * a.scale))

    with tempfile.TemporaryDirectory(prefix="iopf-bench-") as tmp:
        r = Runner(a.sim, a.bare, tmp)
        vcd = os.path.join(tmp, "t.vcd")
        HIT_S, HIT_B = 2000, sc(200000)
        F_S, F_B = 200, sc(20000)
        D_B = sc(128000)
        stalled = [int(x) for x in a.stalled.split(",") if x]

        def stalled_plat(n, faults):
            # n slots stalled at once (1000 per device, one SMMUv3 per 50k: STAG is 16 bits),
            # each issuing faults / n accesses to fresh pages (read faults: zero page).
            devs = (n + 999) // 1000
            return platform_stall(max(faults, n), write=False, devices=devs, outstanding=n // devs,
                                  smmus=max(1, (n + 49999) // 50000))

        # (key, thunk returning a measurement dict) -- one pass runs them all once.
        jobs = []
        jobs.append(("bare_roundtrip", lambda: r.bare_run("roundtrip", sc(1000000))))
        jobs.append(("bare_quantum", lambda: r.bare_run("quantum", sc(4000000))))
        for mode in ("accurate", "fast"):
            jobs.append((f"hit_{mode}_small", lambda m=mode: r.sim_run(platform_hits(HIT_S), ["--mode", m])))
            jobs.append((f"hit_{mode}_big", lambda m=mode: r.sim_run(platform_hits(HIT_B), ["--mode", m])))
        for path, fn in (("stall", platform_stall), ("pri", platform_pri), ("gpu", platform_gpu)):
            jobs.append((f"{path}_small", lambda fn=fn: r.sim_run(fn(F_S))))
            jobs.append((f"{path}_big", lambda fn=fn: r.sim_run(fn(F_B))))
        for d in (1, 8, 64):
            jobs.append((f"dev{d}_small", lambda d=d: r.sim_run(platform_hits(d * 20, d))))
            jobs.append((f"dev{d}_big", lambda d=d: r.sim_run(platform_hits(D_B, d))))
        jobs.append(("stalled_ref", lambda: r.sim_run(platform_stall(1, write=False))))
        for n in stalled:
            jobs.append((f"stalled{n}", lambda n=n: r.sim_run(stalled_plat(n, F_B))))
            if n < F_B:
                jobs.append((f"stalledmem{n}", lambda n=n: r.sim_run(stalled_plat(n, n))))
        jobs.append(("vcd_off", lambda: r.sim_run(platform_stall(sc(10000)))))
        jobs.append(("vcd_on", lambda: r.sim_run(platform_stall(sc(10000)), ["--vcd", vcd])))
        jobs.append(("vcd_ref", lambda: r.sim_run(platform_stall(F_S))))
        jobs.append(("vcd_ref_on", lambda: r.sim_run(platform_stall(F_S), ["--vcd", vcd])))

        res = {k: [] for k, _ in jobs}
        t0 = time.monotonic()
        for rep in range(a.repeat):
            for k, fn in jobs:
                # The 100k-stalled run is the most expensive: measure it once.
                if rep > 0 and k.startswith("stalled") and k != "stalled_ref" and int(k.lstrip("stalledmem")) >= 100000:
                    continue
                res[k].append(fn())
        elapsed = time.monotonic() - t0

        def med(k, field="cpu"):
            vals = [m[field] for m in res[k] if m.get("rc", 0) == 0 and m.get(field) is not None]
            return statistics.median(vals) if vals else None

        def failed(k):
            return [m for m in res[k] if m.get("rc", 0) != 0]

        def marginal(big, small, work_big, work_small):
            cb, cs = med(big), med(small)
            if cb is None or cs is None or work_big <= work_small:
                return None
            return (cb - cs) / (work_big - work_small)

        out = {"bench": {"sim": a.sim, "repeat": a.repeat, "scale": a.scale, "elapsed_s": round(elapsed, 1),
                         "cpus": os.cpu_count(), "loadavg": os.getloadavg()[0]}}
        bare_rt = med("bare_roundtrip", "per_tx_ns")
        bare_qk = med("bare_quantum", "per_tx_ns")
        out["bare"] = {"roundtrip_ns_per_tx": bare_rt, "quantum_ns_per_tx": bare_qk}
        hits = {}
        for mode, bare in (("accurate", bare_rt), ("fast", bare_qk)):
            c = marginal(f"hit_{mode}_big", f"hit_{mode}_small", HIT_B, HIT_S)
            ns = c * 1e9 if c else None
            hits[mode] = {"ns_per_tx": ns, "bare_ns_per_tx": bare,
                          "throughput_vs_bare": (bare / ns) if ns else None}
        out["tlb_hit"] = hits
        rt = {}
        for path in ("stall", "pri", "gpu"):
            big, small = res[f"{path}_big"], res[f"{path}_small"]
            nb = faults_closed(big[0]["stats"]) if big and big[0]["stats"] else 0
            ns_ = faults_closed(small[0]["stats"]) if small and small[0]["stats"] else 0
            c = marginal(f"{path}_big", f"{path}_small", nb, ns_)
            rt[path] = {"faults": nb, "round_trips_per_cpu_s": (1 / c) if c else None,
                        "us_per_fault": c * 1e6 if c else None,
                        "failed": [m["err"] for m in failed(f"{path}_big")]}
        out["fault_round_trips"] = rt
        dev = {}
        for d in (1, 8, 64):
            per = max(1, D_B // d) * d
            c = marginal(f"dev{d}_big", f"dev{d}_small", per, d * 20)
            dev[str(d)] = {"ns_per_tx": c * 1e9 if c else None}
        if dev["1"]["ns_per_tx"] and dev["64"]["ns_per_tx"]:
            dev["cost_64_vs_1"] = dev["64"]["ns_per_tx"] / dev["1"]["ns_per_tx"]
        out["devices"] = dev
        st = {}
        ref_cpu, ref_rss = med("stalled_ref"), med("stalled_ref", "rss_kib")
        for n in stalled:
            k = f"stalled{n}"
            km = f"stalledmem{n}" if n < F_B else k
            ok = [m for m in res[k] if m["rc"] == 0]
            okm = [m for m in res[km] if m["rc"] == 0]
            row = {"stalled": n}
            if ok and okm:
                m, mm = ok[0], okm[0]
                row["faults"] = faults_closed(m["stats"])
                row["invariants_zero"] = invariants_ok(m["stats"]) and invariants_ok(mm["stats"])
                c = med(k)
                row["us_per_fault"] = (c - ref_cpu) / (row["faults"] - 1) * 1e6 if c is not None and ref_cpu is not None else None
                rss = med(km, "rss_kib")
                sim_mem = pages_touched(mm["stats"]) * 4
                row["bytes_per_stalled"] = (rss - ref_rss - sim_mem) * 1024 / n if rss else None
                row["peak_rss_mib"] = rss / 1024
            else:
                row["failed"] = sorted({" ".join(m["err"]) or f"exit {m['rc']}" for m in res[k] + res[km] if m["rc"]})
            st[str(n)] = row
        if "10" in st and str(stalled[-1]) in st and st["10"].get("us_per_fault") and st[str(stalled[-1])].get("us_per_fault"):
            st["cost_largest_vs_10"] = st[str(stalled[-1])]["us_per_fault"] / st["10"]["us_per_fault"]
        out["stalled"] = st
        on = marginal("vcd_on", "vcd_ref_on", 1, 0)
        off = marginal("vcd_off", "vcd_ref", 1, 0)
        out["vcd"] = {"faults": faults_closed(res["vcd_off"][0]["stats"]) if res["vcd_off"] else 0,
                      "overhead": (on / off) if on and off else None,
                      "whole_process_overhead": (med("vcd_on") / med("vcd_off")) if med("vcd_off") else None}
        if a.storm:
            big = r.sim_run(platform_stall(a.storm, write=False, outstanding=16))
            small = r.sim_run(platform_stall(a.storm // 10, write=False, outstanding=16))
            out["storm"] = {"faults": [faults_closed(small["stats"]), faults_closed(big["stats"])],
                            "peak_rss_mib": [small["rss_kib"] / 1024, big["rss_kib"] / 1024],
                            "rss_ratio": big["rss_kib"] / small["rss_kib"],
                            "rc": [small["rc"], big["rc"]]}

    if a.json:
        json.dump(out, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        f = lambda v, fmt="{:.3g}": "n/a" if v is None else fmt.format(v)
        print(f"iopf-sim speed bench ({out['bench']['elapsed_s']} s, repeat {a.repeat}, load {out['bench']['loadavg']:.1f})")
        print(f"bare kernel: round trip {f(bare_rt)} ns/tx, quantum keeper {f(bare_qk)} ns/tx")
        for mode in ("accurate", "fast"):
            h = hits[mode]
            print(f"TLB hit {mode}: {f(h['ns_per_tx'])} ns/tx = {f(h['throughput_vs_bare'], '{:.1%}')} of bare")
        for path, v in rt.items():
            print(f"fault round trips {path}: {f(v['round_trips_per_cpu_s'], '{:,.0f}')}/CPU-s")
        print("devices: " + ", ".join(f"{d}: {f(dev[d]['ns_per_tx'])} ns/tx" for d in ("1", "8", "64")))
        for n in stalled:
            row = st[str(n)]
            print(f"stalled {n}: " + (f"{f(row.get('us_per_fault'))} us/fault, {f(row.get('bytes_per_stalled'), '{:,.0f}')} B/stalled"
                                      if "failed" not in row else f"FAILED {row['failed']}"))
        print(f"--vcd overhead: {f(out['vcd']['overhead'])}x")


if __name__ == "__main__":
    main()
