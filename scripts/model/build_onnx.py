#!/usr/bin/env python3
"""Build the transformers.js model folder for sentence-transformers/all-MiniLM-L6-v2.

No PyTorch and no Hugging Face hub: the BERT encoder graph is written directly
with the `onnx` helper API from the original `model.safetensors` weights (the
same graph torch.onnx.export emits for BertModel at opset 14: decomposed
LayerNorm, exact erf GELU, additive attention mask). The int8 file is
onnxruntime's dynamic quantisation (int8 weights per output channel, uint8
activations per tensor at run time) after SmoothQuant scaling calibrated on
calibration-sentences.txt; the six FFN down-projections stay fp32 (plain dynamic
quantisation of everything gives only ~0.98 cosine to the original model).

Constraints of the consumer (@xenova/transformers 2.17.2 -> onnxruntime-node
1.14): ONNX IR version <= 8, ai.onnx opset <= 18. Inputs `input_ids`,
`attention_mask`, `token_type_ids` (int64, [batch, sequence]); output
`last_hidden_state` (float32, [batch, sequence, 384]).

Usage:
  build_onnx.py --src DIR_WITH_SAFETENSORS --out MODEL_DIR [--reference JSON]
"""
from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto
from onnx import helper as oh
from onnx import numpy_helper as onh
from safetensors.numpy import load_file

OPSET = 14
IR_VERSION = 8  # onnxruntime 1.14 rejects IR >= 9
MAX_IR = 8
MAX_OPSET = 18
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT = "last_hidden_state"


class GraphBuilder:
    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self._n = 0

    def const(self, name: str, arr: np.ndarray) -> str:
        self.inits.append(onh.from_array(np.ascontiguousarray(arr), name))
        return name

    def op(self, op_type: str, inputs: list[str], out: str | None = None, **attrs) -> str:
        self._n += 1
        name = f"/{op_type}_{self._n}"
        out = out or f"{name}_output_0"
        self.nodes.append(oh.make_node(op_type, inputs, [out], name=name, **attrs))
        return out


def build_bert(weights: dict[str, np.ndarray], cfg: dict) -> onnx.ModelProto:
    assert cfg["model_type"] == "bert", cfg["model_type"]
    assert cfg["hidden_act"] == "gelu", cfg["hidden_act"]
    assert cfg.get("position_embedding_type", "absolute") == "absolute"
    hidden = cfg["hidden_size"]
    heads = cfg["num_attention_heads"]
    head_dim = hidden // heads
    eps = float(cfg["layer_norm_eps"])
    n_layers = cfg["num_hidden_layers"]

    g = GraphBuilder()
    f32 = lambda v: np.array(v, dtype=np.float32)  # noqa: E731
    i64 = lambda v: np.array(v, dtype=np.int64)  # noqa: E731
    c_eps = g.const("const_layer_norm_eps", f32(eps))
    c_one = g.const("const_one", f32(1.0))
    c_half = g.const("const_half", f32(0.5))
    c_inv_sqrt2 = g.const("const_inv_sqrt2", f32(1.0 / math.sqrt(2.0)))
    c_scale = g.const("const_attention_scale", f32(math.sqrt(head_dim)))
    c_mask_min = g.const("const_mask_min", f32(np.finfo(np.float32).min))
    c_split_heads = g.const("const_shape_split_heads", i64([0, 0, heads, head_dim]))
    c_merge_heads = g.const("const_shape_merge_heads", i64([0, 0, hidden]))
    c_0 = g.const("const_i64_0", i64([0]))
    c_1 = g.const("const_i64_1", i64([1]))
    c_2 = g.const("const_i64_2", i64([2]))
    c_mask_axes = g.const("const_mask_axes", i64([1, 2]))

    def w(name: str) -> str:
        return g.const(name, weights[name].astype(np.float32))

    def linear(x: str, prefix: str) -> str:
        # torch Linear: y = x @ W^T + b; store W^T so MatMul has a constant B
        wt = g.const(prefix + ".weight_T", weights[prefix + ".weight"].T.astype(np.float32))
        return g.op("Add", [g.op("MatMul", [x, wt]), w(prefix + ".bias")])

    def layer_norm(x: str, prefix: str) -> str:
        mean = g.op("ReduceMean", [x], axes=[-1], keepdims=1)
        d = g.op("Sub", [x, mean])
        var = g.op("ReduceMean", [g.op("Mul", [d, d])], axes=[-1], keepdims=1)
        std = g.op("Sqrt", [g.op("Add", [var, c_eps])])
        y = g.op("Div", [d, std])
        return g.op("Add", [g.op("Mul", [y, w(prefix + ".weight")]), w(prefix + ".bias")])

    # --- embeddings
    seq_len = g.op("Slice", [g.op("Shape", ["input_ids"]), c_1, c_2, c_0])  # [1] = sequence length
    pos = g.op("Slice", [w("embeddings.position_embeddings.weight"), c_0, seq_len, c_0])  # [seq, H]
    words = g.op("Gather", [w("embeddings.word_embeddings.weight"), "input_ids"], axis=0)
    types = g.op("Gather", [w("embeddings.token_type_embeddings.weight"), "token_type_ids"], axis=0)
    x = g.op("Add", [g.op("Add", [words, types]), pos])
    x = layer_norm(x, "embeddings.LayerNorm")

    # --- additive attention mask [batch, 1, 1, seq]: 0 for tokens, float32 min for padding
    m = g.op("Unsqueeze", [g.op("Cast", ["attention_mask"], to=TensorProto.FLOAT), c_mask_axes])
    mask = g.op("Mul", [g.op("Sub", [c_one, m]), c_mask_min])

    for i in range(n_layers):
        p = f"encoder.layer.{i}"
        q = g.op("Transpose", [g.op("Reshape", [linear(x, p + ".attention.self.query"), c_split_heads])], perm=[0, 2, 1, 3])
        k = g.op("Transpose", [g.op("Reshape", [linear(x, p + ".attention.self.key"), c_split_heads])], perm=[0, 2, 3, 1])
        v = g.op("Transpose", [g.op("Reshape", [linear(x, p + ".attention.self.value"), c_split_heads])], perm=[0, 2, 1, 3])
        scores = g.op("Add", [g.op("Div", [g.op("MatMul", [q, k]), c_scale]), mask])
        probs = g.op("Softmax", [scores], axis=-1)
        ctx = g.op("Transpose", [g.op("MatMul", [probs, v])], perm=[0, 2, 1, 3])
        ctx = g.op("Reshape", [ctx, c_merge_heads])
        attn = linear(ctx, p + ".attention.output.dense")
        x = layer_norm(g.op("Add", [attn, x]), p + ".attention.output.LayerNorm")
        h = linear(x, p + ".intermediate.dense")
        erf = g.op("Erf", [g.op("Mul", [h, c_inv_sqrt2])])
        h = g.op("Mul", [g.op("Mul", [h, g.op("Add", [erf, c_one])]), c_half])
        out = linear(h, p + ".output.dense")
        x = layer_norm(g.op("Add", [out, x]), p + ".output.LayerNorm")

    g.op("Identity", [x], out=OUTPUT)

    dims = ["batch_size", "sequence_length"]
    graph = oh.make_graph(
        g.nodes,
        "all-MiniLM-L6-v2",
        [oh.make_tensor_value_info(n, TensorProto.INT64, dims) for n in INPUTS],
        [oh.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, dims + [hidden])],
        initializer=g.inits,
    )
    model = oh.make_model(graph, opset_imports=[oh.make_opsetid("", OPSET)], producer_name="kgal-build_onnx")
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model, full_check=True)
    return model


def check_structure(path: Path) -> None:
    m = onnx.load(str(path), load_external_data=False)
    if m.ir_version > MAX_IR:
        raise SystemExit(f"{path}: IR version {m.ir_version} > {MAX_IR}")
    for o in m.opset_import:
        if o.domain in ("", "ai.onnx") and o.version > MAX_OPSET:
            raise SystemExit(f"{path}: opset {o.version} > {MAX_OPSET}")
    ins = [i.name for i in m.graph.input]
    outs = [o.name for o in m.graph.output]
    if sorted(ins) != sorted(INPUTS) or OUTPUT not in outs:
        raise SystemExit(f"{path}: unexpected inputs {ins} / outputs {outs}")
    for i in m.graph.input:
        shape = [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim]
        if not all(isinstance(s, str) and s for s in shape):
            raise SystemExit(f"{path}: input {i.name} is not dynamic: {shape}")
    print(f"  {path.name}: IR {m.ir_version}, opsets {[(o.domain or 'ai.onnx', o.version) for o in m.opset_import]}, "
          f"{path.stat().st_size / 1e6:.1f} MB")


SMOOTH_ALPHA = 0.65
# FFN down-projections (input: GELU output, 1536 wide) are the one place where 8-bit
# dynamic activation quantisation costs too much accuracy; they stay fp32.
KEEP_FP32 = re.compile(r"^encoder\.layer\.\d+\.output\.dense\.weight_T$")


def calibration_token_ids(src: Path, calib_file: Path, max_len: int) -> list[list[int]]:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(src / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_len)
    lines = [ln.strip() for ln in calib_file.read_text(encoding="utf-8").splitlines()]
    texts = [ln for ln in lines if ln and not ln.startswith("#")]
    return [e.ids for e in tok.encode_batch(texts)]


def _linear_groups(model: onnx.ModelProto) -> dict[str, list[onnx.NodeProto]]:
    """MatMuls with a constant weight, grouped by their (shared) activation input."""
    inits = {i.name for i in model.graph.initializer}
    groups: dict[str, list[onnx.NodeProto]] = {}
    for n in model.graph.node:
        if n.op_type == "MatMul" and n.input[1] in inits and not KEEP_FP32.match(n.input[1]):
            groups.setdefault(n.input[0], []).append(n)
    return groups


def activation_absmax(model_path: Path, token_ids: list[list[int]]) -> dict[str, np.ndarray]:
    """Per-channel max |activation| at the input of every quantised MatMul (real tokens only)."""
    import onnxruntime as ort

    m = onnx.load(str(model_path))
    groups = _linear_groups(m)
    for name in groups:
        m.graph.output.append(oh.make_tensor_value_info(name, TensorProto.FLOAT, None))
    so = ort.SessionOptions()
    so.log_severity_level = 3
    sess = ort.InferenceSession(m.SerializeToString(), so, providers=["CPUExecutionProvider"])
    amax: dict[str, np.ndarray] = {}
    for i in range(0, len(token_ids), 16):
        batch = token_ids[i:i + 16]
        n = max(len(t) for t in batch)
        ids = np.zeros((len(batch), n), dtype=np.int64)
        att = np.zeros_like(ids)
        for r, t in enumerate(batch):
            ids[r, :len(t)] = t
            att[r, :len(t)] = 1
        outs = sess.run(list(groups), {"input_ids": ids, "attention_mask": att, "token_type_ids": np.zeros_like(ids)})
        for name, o in zip(groups, outs):
            v = np.abs(o[att.astype(bool)]).max(0)
            amax[name] = v if name not in amax else np.maximum(amax[name], v)
    return amax


def smooth(model_path: Path, amax: dict[str, np.ndarray], alpha: float) -> onnx.ModelProto:
    """SmoothQuant (Xiao et al. 2023): X W = (X / s) (s W), with s_j = max|X_j|^a / max|W_j|^(1-a).

    Moves the per-channel activation outliers of BERT (which ruin per-tensor 8-bit
    activation quantisation) into the weights, which are quantised per channel.
    Exact in fp32; adds one elementwise Mul per group of MatMuls sharing an input.
    """
    m = onnx.load(str(model_path))
    inits = {i.name: i for i in m.graph.initializer}
    groups = _linear_groups(m)
    muls: dict[str, onnx.NodeProto] = {}
    for x, nodes in groups.items():
        ws = [onh.to_array(inits[n.input[1]]) for n in nodes]
        wmax = np.max([np.abs(w).max(axis=1) for w in ws], axis=0)
        s = np.power(np.maximum(amax[x], 1e-5), alpha) / np.power(np.maximum(wmax, 1e-5), 1 - alpha)
        s = np.clip(s, 1e-5, 1e5).astype(np.float32)
        inv = m.graph.initializer.add()
        inv.CopyFrom(onh.from_array((1.0 / s).astype(np.float32), f"{x}/smooth_inv_scale"))
        muls[nodes[0].name] = oh.make_node("Mul", [x, inv.name], [f"{x}/smoothed"], name=f"{x}/smooth")
        for n, w in zip(nodes, ws):
            inits[n.input[1]].CopyFrom(onh.from_array((w * s[:, None]).astype(np.float32), n.input[1]))
            n.input[0] = f"{x}/smoothed"
    ordered = []
    for n in m.graph.node:  # each Mul goes right before the first MatMul of its group
        if n.name in muls:
            ordered.append(muls[n.name])
        ordered.append(n)
    del m.graph.node[:]
    m.graph.node.extend(ordered)
    onnx.checker.check_model(m)
    return m


def quantize(fp32: Path, out: Path, calib_ids: list[list[int]]) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    smoothed = out.with_name("model_smoothed.tmp.onnx")
    onnx.save(smooth(fp32, activation_absmax(fp32, calib_ids), SMOOTH_ALPHA), str(smoothed))
    m = onnx.load(str(smoothed))
    inits = {i.name for i in m.graph.initializer}
    keep = [n.name for n in m.graph.node if n.op_type == "MatMul" and n.input[1] in inits and KEEP_FP32.match(n.input[1])]
    # int8 dynamic quantisation (weights int8 per output channel, activations uint8 per
    # tensor at run time) of the MatMul weights and the embedding tables
    quantize_dynamic(
        str(smoothed), str(out),
        weight_type=QuantType.QInt8,
        per_channel=True,
        reduce_range=False,
        op_types_to_quantize=["MatMul", "Gather"],
        nodes_to_exclude=keep,
        extra_options={"MatMulConstBOnly": True},
    )
    smoothed.unlink()
    m = onnx.load(str(out))
    if m.ir_version > MAX_IR:  # newer onnx / onnxruntime may stamp a newer IR; nothing in the graph needs it
        m.ir_version = IR_VERSION
    m.producer_name = "kgal-build_onnx+smoothquant+onnxruntime.quantize_dynamic"
    onnx.checker.check_model(m)
    onnx.save(m, str(out))


def embed(session, token_ids: list[list[int]]) -> np.ndarray:
    """Mean pooling over the attention mask + L2 normalisation (sentence-transformers' recipe)."""
    n = max(len(t) for t in token_ids)
    ids = np.zeros((len(token_ids), n), dtype=np.int64)
    att = np.zeros_like(ids)
    for r, t in enumerate(token_ids):
        ids[r, : len(t)] = t
        att[r, : len(t)] = 1
    (h,) = session.run([OUTPUT], {"input_ids": ids, "attention_mask": att, "token_type_ids": np.zeros_like(ids)})
    mf = att[..., None].astype(np.float32)
    v = (h * mf).sum(1) / np.clip(mf.sum(1), 1e-9, None)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def check_reference(model_path: Path, ref_path: Path, min_cos: float) -> float:
    import onnxruntime as ort

    ref = json.loads(ref_path.read_text())
    so = ort.SessionOptions()
    so.log_severity_level = 3
    sess = ort.InferenceSession(str(model_path), so, providers=["CPUExecutionProvider"])
    got = embed(sess, ref["token_ids"])
    want = np.asarray(ref["vectors"], dtype=np.float32)
    want = want / np.linalg.norm(want, axis=1, keepdims=True)
    cos = (got * want).sum(1)
    worst = float(cos.min())
    print(f"  {model_path.name}: cosine vs reference vectors min {worst:.6f} "
          f"(need >= {min_cos}) over {len(cos)} sentences")
    if worst < min_cos:
        raise SystemExit(f"{model_path}: cosine {worst} < {min_cos}: per sentence {cos.tolist()}")
    return worst


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", required=True, type=Path, help="folder with model.safetensors, config.json, tokenizer files")
    ap.add_argument("--out", required=True, type=Path, help="transformers.js model folder to fill")
    ap.add_argument("--reference", type=Path, help="reference-vectors.json to check the ONNX files against")
    ap.add_argument("--max-seq-length", type=int, default=None,
                    help="tokenizer model_max_length (default: sentence_bert_config.json max_seq_length)")
    ap.add_argument("--no-quantized", action="store_true")
    ap.add_argument("--calibration", type=Path, default=Path(__file__).resolve().parent / "calibration-sentences.txt",
                    help="texts (one a line) for the activation ranges of the quantised model")
    args = ap.parse_args()

    src, out = args.src, args.out
    cfg = json.loads((src / "config.json").read_text())
    (out / "onnx").mkdir(parents=True, exist_ok=True)

    # config: as shipped by the model
    shutil.copyfile(src / "config.json", out / "config.json")

    # tokenizer.json: drop the fixed 128 padding/truncation baked into the original file
    # (transformers.js pads per batch and truncates to model_max_length itself)
    tok = json.loads((src / "tokenizer.json").read_text(encoding="utf-8"))
    tok["truncation"] = None
    tok["padding"] = None
    (out / "tokenizer.json").write_text(json.dumps(tok, ensure_ascii=False), encoding="utf-8")

    # tokenizer_config.json: model_max_length = sentence-transformers' max_seq_length (256),
    # so transformers.js truncates long texts exactly as sentence-transformers does
    max_len = args.max_seq_length
    if max_len is None:
        sbc = src / "sentence_bert_config.json"
        max_len = json.loads(sbc.read_text())["max_seq_length"] if sbc.exists() else 256
    tcfg = json.loads((src / "tokenizer_config.json").read_text())
    tcfg["model_max_length"] = max_len
    (out / "tokenizer_config.json").write_text(json.dumps(tcfg, indent=2) + "\n")
    for extra in ("special_tokens_map.json", "vocab.txt"):
        if (src / extra).exists():
            shutil.copyfile(src / extra, out / extra)

    print("building onnx/model.onnx (fp32) from model.safetensors")
    weights = load_file(str(src / "model.safetensors"))
    fp32 = out / "onnx" / "model.onnx"
    onnx.save(build_bert(weights, cfg), str(fp32))
    check_structure(fp32)

    if not args.no_quantized:
        print("quantising onnx/model_quantized.onnx (SmoothQuant + int8 dynamic)")
        q = out / "onnx" / "model_quantized.onnx"
        quantize(fp32, q, calibration_token_ids(src, args.calibration, max_len))
        check_structure(q)

    if args.reference and args.reference.exists():
        check_reference(fp32, args.reference, 0.9999)
        if not args.no_quantized:
            check_reference(out / "onnx" / "model_quantized.onnx", args.reference, 0.99)
    elif args.reference:
        print(f"  (no {args.reference}; skipped the check against reference vectors)")


if __name__ == "__main__":
    sys.exit(main())
