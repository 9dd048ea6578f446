#!/usr/bin/env python3
"""Generate conformance/vectors/*.json from the readable definitions in conformance/defs/.

    python3 conformance/tools/gen_vectors.py            # write vectors/, streams/, COUNTS.md
    python3 conformance/tools/gen_vectors.py --check    # exit 1 if any generated file is stale (CI)
    python3 conformance/tools/gen_vectors.py --jobs F   # write qemu_observe.py jobs for every observable vector

Each definition line names a vector, its byte edits (by field name, resolved
against the base stream with migstream.py), its result class and the
expectation written from the spec or a real QEMU observation. This script
never runs the reference. Where conformance/observations/qemu-7.2.22.json
holds a real QEMU run of exactly the same bytes (sha256), it records QEMU's
result in the vector and refuses to generate if the expectation disagrees.
"""
import argparse
import hashlib
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CONF = os.path.dirname(HERE)
REPO = os.path.dirname(CONF)
sys.path.insert(0, HERE)
import migstream  # noqa: E402

SCHEMA = "vectors.schema.json"
OBSERVATIONS = os.path.join(CONF, "observations", "qemu-7.2.22.json")
CORPUS = "corpora/qemu-7.2"
QEMU_VERSION = "7.2.22"
RESULTS = ("valid", "invalid", "acceptable")
POLICY_FLAGS = {"sanitized", "broken", "unchecked", "implementation-choice"}  # why an input is acceptable (conformance/README.md)
# QEMU's stderr is no graceful rejection's message list: exit(1) from inside
# the loader, a load that went on after an out-of-bounds write, or an
# expectation that is the spec's choice rather than QEMU's outcome.
NO_MESSAGE_LIST = {"qemu-exit", "qemu-oob-write", "implementation-choice"}
LENIENT = False  # --jobs: vectors whose expectation needs an observation are still listed


class DefError(Exception):
    pass


# -- values -------------------------------------------------------------------
def be16(v): return struct.pack(">H", v & 0xffff).hex()
def be32(v): return struct.pack(">I", v & 0xffffffff).hex()
def be64(v): return struct.pack(">Q", v & 0xffffffffffffffff).hex()
def le16(v): return struct.pack("<H", v & 0xffff).hex()
def le32(v): return struct.pack("<I", v & 0xffffffff).hex()
def le64(v): return struct.pack("<Q", v & 0xffffffffffffffff).hex()
def u8(v): return struct.pack("B", v & 0xff).hex()
def text(s): return s.encode().hex()


def subsection(name, payload="", version=1):
    """A subsection record: 05, name length, name, be32 version, fields (spec §2.4)."""
    return "05" + u8(len(name)) + text(name) + be32(version) + payload


# -- bases --------------------------------------------------------------------
class Base:
    """A stream in conformance/streams/ and what migstream finds in it."""

    def __init__(self, name, origin, kind, footers=True, net=False, full=None):
        self.name, self.origin, self.kind, self.footers = name, origin, kind, footers
        self.stream_origin = full or origin  # the whole capture a section record was cut from
        self.path = f"streams/{name}"
        with open(os.path.join(REPO, origin), "rb") as f:
            self.data = f.read()
        self.stream = migstream.Stream(self.data, footers=footers)
        self.sec = self.stream.virtio()
        self.fields = migstream.virtio_fields(self.data, self.sec, net=net)

    def at(self, loc):
        if isinstance(loc, int):
            return loc
        if isinstance(loc, tuple):
            what, arg, delta = (loc + (0,))[:3]
            if what == "sub":
                return self.stream.subsection(arg) + delta
            if what == "ram":
                return self.stream.ram(arg) + delta
            if what == "find":
                return self.stream.find(bytes.fromhex(arg)) + delta
            if what == "field":
                return self.fields[arg] + delta
            raise DefError(f"bad location {loc!r}")
        if loc not in self.fields:
            raise DefError(f"{self.name}: no field {loc!r}")
        return self.fields[loc]


def value(base, loc, size):
    """The big-endian value at a location of a base stream (to derive edits from it)."""
    at = base.at(loc)
    return int.from_bytes(base.data[at:at + size], "big")


def sub(name, delta=0): return ("sub", name, delta)
def ram(gpa, delta=0): return ("ram", gpa, delta)
def find(hexbytes, delta=0): return ("find", hexbytes, delta)
def field(name, delta=0): return ("field", name, delta)


# -- edits --------------------------------------------------------------------
def put(loc, hexbytes): return ("put", loc, hexbytes)
def insert(loc, hexbytes, repeat=1): return ("insert", loc, hexbytes, repeat)
def delete(loc, count): return ("delete", loc, count)
def truncate(loc): return ("truncate", loc)


def resolve_patch(base, edits):
    ops = []
    for e in edits:
        off = base.at(e[1])
        if e[0] == "put":
            ops.append({"at": hex(off), "put": e[2]})
        elif e[0] == "insert":
            op = {"at": hex(off), "insert": e[2]}
            if e[3] != 1:
                op["repeat"] = e[3]
            ops.append(op)
        elif e[0] == "delete":
            ops.append({"at": hex(off), "delete": e[2]})
        elif e[0] == "truncate":
            ops.append({"truncate": hex(off)})
    # Highest offset first: every offset is then also an offset in the base.
    # Equal offsets: the later edit first, so edits at one offset end up in
    # definition order (e.g. a subsection header, then its repeated body).
    order = sorted(range(len(ops)), key=lambda i: (-int(ops[i].get("at", ops[i].get("truncate")), 16), -i))
    return [ops[i] for i in order]


def apply_patch(data, ops):
    """The same algorithm as the C++ runner (harness/src/conformance/patch.cpp)."""
    b = bytearray(data)
    for op in ops:
        if "truncate" in op:
            n = int(op["truncate"], 16)
            if n > len(b):
                raise DefError("truncate past end")
            del b[n:]
            continue
        at = int(op["at"], 16)
        if "put" in op:
            v = bytes.fromhex(op["put"])
            if at + len(v) > len(b):
                raise DefError("put past end")
            b[at:at + len(v)] = v
        elif "insert" in op:
            if at > len(b):
                raise DefError("insert past end")
            b[at:at] = bytes.fromhex(op["insert"]) * op.get("repeat", 1)
        elif "delete" in op:
            if at + op["delete"] > len(b):
                raise DefError("delete past end")
            del b[at:at + op["delete"]]
    return bytes(b)


# -- expectations ---------------------------------------------------------------
OBSERVED = "<observed>"  # take this value from the real QEMU observation of the vector


def accepted(state=None, rule=None, message=None, observed_state=()):
    return {"outcome": "accepted", "rule": rule, "message": message, "state": state or {},
            "observed_state": list(observed_state)}


def rejected(rule=None, message=None):
    return {"outcome": "rejected", "rule": rule, "message": message, "state": {}, "observed_state": []}


def spec(ref, note=None): return {"kind": "spec", "ref": ref, **({"note": note} if note else {})}
def negative(case): return {"kind": "qemu-negative-capture", "ref": f"{CORPUS}/negative/results.json#{case}"}
def capture(name): return {"kind": "qemu-capture", "ref": f"{CORPUS}/streams/{name}.json"}
def team_notes(case, note=None):
    return {"kind": "qemu-team-notes", "ref": f"held-back negative case {case} (team capture notes, QEMU 7.2.22)",
            **({"note": note} if note else {})}
def report(url, note=None): return {"kind": "field-report", "ref": url, **({"note": note} if note else {})}


# -- the definitions' world ---------------------------------------------------------
class Suite:
    def __init__(self, name, description):
        self.name, self.description = name, description
        self.header, self.groups, self.notes_used = [], [], set()


class World:
    def __init__(self, observations):
        self.suites, self.bases, self.suite, self.group = [], {}, None, None
        self.observations = observations
        self.names = set()
        self.errors, self.jobs = [], []
        self.notes = {}

    # streams
    def stream(self, name, origin, kind="stream", footers=True, net=False, full=None):
        if name not in self.bases:
            self.bases[name] = Base(name, origin, kind, footers, net, full)
        return self.bases[name]

    def note(self, flag, bug_type, description, cves=(), links=(), commit=None, version=None):
        n = {"bugType": bug_type, "description": description}
        if cves:
            n["cves"] = list(cves)
        if links:
            n["links"] = list(links)
        if commit or version:
            n["qemu"] = {k: v for k, v in (("commit", commit), ("version", version)) if v}
        self.notes[flag] = n

    def begin_suite(self, name, description, header=()):
        self.suite = Suite(name, description)
        self.suite.header = list(header)
        self.suites.append(self.suite)

    def begin_group(self, base, machine, devices, profile="qemu-7.2", writer=None, comment="", qemu_args=None):
        writer = writer or {"profile": "qemu-7.2", "machine": machine, "qemu": QEMU_VERSION}
        self.group = {"base": base, "comment": comment,
                      "destination": {"machine": machine, "devices": list(devices), "profile": profile},
                      "writer": writer, "tests": [], "qemu_args": qemu_args}
        self.suite.groups.append(self.group)

    def vector(self, name, result, edits, expect, flags=(), src=(), comment="", file=None, hexinput=None):
        g, base = self.group, self.group["base"]
        if name in self.names:
            raise DefError(f"duplicate vector name {name}")
        self.names.add(name)
        if result not in RESULTS:
            raise DefError(f"{name}: result {result}")
        if name[:2] != {"valid": "y_", "invalid": "n_", "acceptable": "i_"}[result]:
            raise DefError(f"{name}: name prefix must match result {result}")
        if (result == "acceptable") != bool(set(flags) & POLICY_FLAGS):
            raise DefError(f"{name}: acceptable vectors, and only they, carry one of {sorted(POLICY_FLAGS)}")
        if result == "invalid" and expect["outcome"] != "rejected" or result == "valid" and expect["outcome"] != "accepted":
            raise DefError(f"{name}: result {result} with expected outcome {expect['outcome']}")
        if hexinput is not None:
            inp, data = {"hex": hexinput}, bytes.fromhex(hexinput)
        elif not edits:
            inp, data = {"file": base.path}, base.data
        else:
            ops = resolve_patch(base, edits)
            data = apply_patch(base.data, ops)
            inp = {"base": base.path, "patch": ops}
        inp["sha256"] = hashlib.sha256(data).hexdigest()
        for s in src:  # a negative capture must be reproduced byte for byte
            if s["kind"] == "qemu-negative-capture":
                case = os.path.join(REPO, CORPUS, "negative", s["ref"].split("#")[1] + ".mig")
                if base.kind == "stream" and open(case, "rb").read() != data:
                    raise DefError(f"{name}: the patch does not reproduce {case}")
        t = {"tcId": len([x for gg in self.suite.groups for x in gg["tests"]]) + 1, "name": name,
             "comment": comment, "flags": list(flags), "input": inp, "result": result}
        t["expected"], t["source"] = self._expectation(name, expect, data, flags), list(src)
        obs = self._observation(name, inp["sha256"])
        if obs is not None:
            t["qemu"] = obs["summary"]
            t["source"].append({"kind": "qemu-observed",
                                "ref": f"conformance/observations/qemu-7.2.22.json#{name}"})
            self._cross_check(name, t, obs["raw"], flags)
        if not t["source"]:
            raise DefError(f"{name}: no source")
        self.suite.notes_used.update(flags)
        g["tests"].append(t)
        if g["destination"]["profile"] == "qemu-7.2" and g["qemu_args"] is not None:
            self.jobs.append((name, data, base, g["qemu_args"], inp["sha256"]))

    # expectations: fill OBSERVED from the real QEMU run
    def _expectation(self, name, e, data, flags):
        obs = self.observations.get(name)
        digest = hashlib.sha256(data).hexdigest()
        raw = obs if obs and obs.get("input_sha256") == digest else None
        out = {"outcome": e["outcome"]}
        if e["rule"]:
            out["rule"] = e["rule"]
        msg = e["message"]
        if msg == OBSERVED:
            if (raw is None or not raw["stderr"]) and LENIENT:
                raw = {"stderr": ["?"], "exit": None}
            if raw is None or not raw["stderr"]:
                raise DefError(f"{name}: message taken from QEMU but no observation (run --jobs + qemu_observe.py)")
            msg = raw["stderr"][0]
        if msg:
            out["message"] = msg
        same_outcome = raw is not None and raw["exit"] == (0 if e["outcome"] == "accepted" else 1)
        if same_outcome and not raw.get("spliced") and not set(flags) & NO_MESSAGE_LIST:
            out["messages"] = raw["stderr"]  # QEMU's every line, in order (may be none)
        state = dict(e["state"])
        for ptr in e["observed_state"]:
            if (raw is None or "device" not in raw) and LENIENT:
                continue
            if raw is None or "device" not in raw:
                raise DefError(f"{name}: state {ptr} taken from QEMU but no completed observation")
            state[ptr] = pointer(raw["device"], ptr)
        if state:
            out["state"] = dict(sorted(state.items(), key=lambda kv: pointer_key(kv[0])))
        return out

    def _observation(self, name, digest):
        raw = self.observations.get(name)
        if raw is None:
            return None
        if raw.get("input_sha256") != digest:
            self.errors.append(f"{name}: stale observation (input changed); rerun qemu_observe.py")
            return None
        summary = {"version": QEMU_VERSION, "exit": raw["exit"], "stderr": raw["stderr"]}
        if raw.get("spliced"):
            summary["loadedAs"] = raw["spliced"]
        return {"summary": summary, "raw": raw}

    def _cross_check(self, name, t, raw, flags):
        e, code = t["expected"], raw["exit"]
        defect = "qemu-defect" in flags
        if defect:
            if code in (0, 1):
                self.errors.append(f"{name}: flagged qemu-defect but QEMU exited {code}")
            return
        if "implementation-choice" in flags:
            return  # the spec's choice; QEMU's own outcome is recorded under "qemu"
        if "qemu-oob-write" in flags:
            if code == 0:
                self.errors.append(f"{name}: flagged qemu-oob-write but QEMU loaded it")
            return  # QEMU went on after corrupting memory: its later message is no expectation
        want = 0 if e["outcome"] == "accepted" else 1
        if code != want:
            self.errors.append(f"{name}: expectation {e['outcome']} disagrees with QEMU (exit {code}: "
                               f"{raw['stderr'][:1]})")
            return
        if "message" in e and (not raw["stderr"] or raw["stderr"][0] != e["message"]):
            self.errors.append(f"{name}: message {e['message']!r} disagrees with QEMU {raw['stderr'][:1]}")
        if e["outcome"] == "accepted" and "message" not in e and raw["stderr"]:
            self.errors.append(f"{name}: QEMU printed {raw['stderr'][0]!r}; the expectation names no message")
        for ptr, value in e.get("state", {}).items():
            try:
                got = pointer(raw["device"], ptr)
            except KeyError:
                continue  # a field QMP does not show
            if got != value:
                self.errors.append(f"{name}: state {ptr} = {value!r} but QEMU shows {got!r}")


def pointer(doc, ptr):
    """RFC 6901 JSON pointer into [device] (state pointers start with the device index)."""
    parts = ptr.split("/")[1:]
    cur = [doc] if isinstance(doc, dict) else doc
    for p in parts:
        p = p.replace("~1", "/").replace("~0", "~")
        if isinstance(cur, list):
            i = int(p)
            if i >= len(cur):
                raise KeyError(ptr)
            cur = cur[i]
        else:
            if p not in cur:
                raise KeyError(ptr)
            cur = cur[p]
    return cur


def pointer_key(ptr):
    return [(0, int(p)) if p.isdigit() else (1, p) for p in ptr.split("/")[1:]]


# -- output ---------------------------------------------------------------------
def suite_json(world, s):
    notes = {f: world.notes[f] for f in sorted(s.notes_used)}
    missing = sorted(f for f in s.notes_used if f not in world.notes)
    if missing:
        raise DefError(f"{s.name}: flags without a note: {missing}")
    groups = []
    for g in s.groups:
        if not g["tests"]:
            continue
        d = {"comment": g["comment"], "destination": g["destination"], "writer": g["writer"],
             "tests": g["tests"]}
        groups.append(d)
    n = sum(len(g["tests"]) for g in groups)
    return {"schema": SCHEMA, "suite": s.name, "description": s.description,
            "generatedBy": f"conformance/tools/gen_vectors.py from conformance/defs/{s.name}.py",
            "numberOfTests": n, "header": s.header, "notes": notes, "testGroups": groups}


def dump(obj):
    return json.dumps(obj, indent=1, ensure_ascii=False) + "\n"


def counts_md(world, files):
    rows, total = [], {"valid": 0, "invalid": 0, "acceptable": 0}
    for s, doc in files:
        c = {"valid": 0, "invalid": 0, "acceptable": 0}
        for g in doc["testGroups"]:
            for t in g["tests"]:
                c[t["result"]] += 1
        for k in c:
            total[k] += c[k]
        rows.append(f"| `vectors/{s.name}_test.json` | {doc['numberOfTests']} | {c['valid']} | "
                    f"{c['invalid']} | {c['acceptable']} |")
    flags = {}
    for s, doc in files:
        for g in doc["testGroups"]:
            for t in g["tests"]:
                for f in t["flags"]:
                    flags[f] = flags.get(f, 0) + 1
    out = ["# Vector counts", "", "Generated by `conformance/tools/gen_vectors.py`; do not edit.", "",
           "| file | tests | valid | invalid | acceptable |", "|---|---|---|---|---|"] + rows
    out.append(f"| **total** | **{sum(total.values())}** | {total['valid']} | {total['invalid']} | "
               f"{total['acceptable']} |")
    out += ["", "| flag | vectors | bug type |", "|---|---|---|"]
    for f in sorted(flags):
        out.append(f"| `{f}` | {flags[f]} | {world.notes[f]['bugType']} |")
    return "\n".join(out) + "\n"


def streams_md(world):
    out = ["# Base streams", "", "Generated by `conformance/tools/gen_vectors.py`; do not edit. Every file is",
           f"copied unchanged from the real QEMU {QEMU_VERSION} captures in `{CORPUS}/` (see its",
           "PROVENANCE.md): `.mig` are complete streams, `.section` the virtio section record",
           "(`0x04` header through footer) cut from the stream named. Vectors edit them",
           "declaratively (`input.patch`); nothing here is hand-edited.", "",
           "| file | bytes | sha256 | copied from |", "|---|---|---|---|"]
    for name in sorted(world.bases):
        b = world.bases[name]
        out.append(f"| `{name}` | {len(b.data)} | `{hashlib.sha256(b.data).hexdigest()[:16]}…` | `{b.origin}` |")
    return "\n".join(out) + "\n"


def build(observations):
    world = World(observations)
    defs_dir = os.path.join(CONF, "defs")
    api = {k: v for k, v in globals().items() if not k.startswith("_")}
    api.update(stream=world.stream, note=world.note, suite=world.begin_suite, group=world.begin_group,
               v=world.vector, VALID="valid", INVALID="invalid", ACCEPTABLE="acceptable")
    for fname in sorted(os.listdir(defs_dir)):
        if fname.endswith(".py") and fname.startswith("_"):
            exec(compile(open(os.path.join(defs_dir, fname)).read(), fname, "exec"), api)
    for fname in sorted(os.listdir(defs_dir)):
        if fname.endswith(".py") and not fname.startswith("_"):
            exec(compile(open(os.path.join(defs_dir, fname)).read(), fname, "exec"), dict(api))
    files = [(s, suite_json(world, s)) for s in world.suites]
    out = {f"vectors/{s.name}_test.json": dump(doc) for s, doc in files}
    out["COUNTS.md"] = counts_md(world, files)
    out["streams/README.md"] = streams_md(world)
    blobs = {b.path: b.data for b in world.bases.values()}
    return world, out, blobs


def write_jobs(world, path):
    import tempfile
    jobs, tmp = [], os.path.join(tempfile.gettempdir(), "migcheck-observe-inputs")
    os.makedirs(tmp, exist_ok=True)
    for name, data, base, args, digest in world.jobs:
        spliced = None
        if base.kind == "section":  # QEMU loads whole streams: put the record back into its capture
            full_path = base.stream_origin
            with open(os.path.join(REPO, full_path), "rb") as f:
                full = f.read()
            at = full.find(base.data)
            if at < 0:
                raise DefError(f"{base.name}: section not found in {full_path}")
            data = full[:at] + data + full[at + len(base.data):]
            spliced = f"spliced into {full_path} in place of the original section"
        p = os.path.join(tmp, name + ".mig")
        with open(p, "wb") as f:
            f.write(data)
        jobs.append({"name": name, "stream": p, "args": args, "input_sha256": digest, "spliced": spliced})
    with open(path, "w") as f:
        json.dump(jobs, f, indent=1)
    print(f"gen_vectors: {len(jobs)} observation jobs in {path}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="compare with the committed files; write nothing")
    ap.add_argument("--jobs", metavar="FILE", help="write real-QEMU observation jobs (for qemu_observe.py)")
    ap.add_argument("--prune", action="store_true", help="drop observations of vectors that no longer exist")
    args = ap.parse_args()
    observations = json.load(open(OBSERVATIONS)) if os.path.exists(OBSERVATIONS) else {}
    global LENIENT
    LENIENT = bool(args.jobs)
    try:
        world, out, blobs = build(observations)
    except (DefError, KeyError) as e:
        print(f"gen_vectors: {e}", file=sys.stderr)
        return 2
    if args.jobs:
        write_jobs(world, args.jobs)
        return 0
    orphans = sorted(set(observations) - world.names)
    if orphans and args.prune:
        for k in orphans:
            del observations[k]
        with open(OBSERVATIONS + ".tmp", "w") as f:
            json.dump(observations, f, indent=1, sort_keys=True)
            f.write("\n")
        os.replace(OBSERVATIONS + ".tmp", OBSERVATIONS)
    elif orphans:
        world.errors.append(f"observations of unknown vectors (use --prune): {', '.join(orphans)}")
    if world.errors:
        for e in world.errors:
            print(f"gen_vectors: {e}", file=sys.stderr)
        return 1
    stale = []
    for rel, content in list(out.items()) + list(blobs.items()):
        path = os.path.join(CONF, rel)
        data = content.encode() if isinstance(content, str) else content
        old = open(path, "rb").read() if os.path.exists(path) else None
        if old == data:
            continue
        stale.append(rel)
        if not args.check:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path + ".tmp", "wb") as f:
                f.write(data)
            os.replace(path + ".tmp", path)
    known = set(out) | set(blobs)
    for d in ("vectors", "streams"):
        for fname in sorted(os.listdir(os.path.join(CONF, d))) if os.path.isdir(os.path.join(CONF, d)) else []:
            rel = f"{d}/{fname}"
            if rel not in known:
                stale.append(rel + " (not generated)")
    n = sum(json.loads(c)["numberOfTests"] for r, c in out.items() if r.startswith("vectors/"))
    if args.check:
        if stale:
            print("gen_vectors: stale generated files (run conformance/tools/gen_vectors.py):\n  " +
                  "\n  ".join(stale), file=sys.stderr)
            return 1
        print(f"gen_vectors: {n} vectors in {len(world.suites)} files, all up to date")
        return 0
    print(f"gen_vectors: {n} vectors in {len(world.suites)} files; {len(stale)} files written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
