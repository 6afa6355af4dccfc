"""Convert an upstream OAT-OSN checkpoint into an OATDetector checkpoint, or back (--reverse).

    python tools/convert_oat_checkpoint.py ckp_best.pth.tar oat_thumos14.pth
    python tools/convert_oat_checkpoint.py oat_thumos14.pth ckp_best.pth.tar --reverse

Upstream files are ``{'epoch': int, 'state_dict': ...}`` (read with ``weights_only=True``);
ours are mmengine-style ``{'meta': ..., 'state_dict': ...}`` (our own files: full load, as
``oat.compat`` does for resuming). Every key and shape is checked; the output is written
atomically. Anchor lengths and the window are not stored in upstream checkpoints: set them in
the model config as usual.
"""
from __future__ import annotations

import argparse
import os
import pickle
import sys
import tempfile

import torch

from oat.models.upstream_keys import convert_our_state_dict, convert_upstream_state_dict


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line arguments: IN, OUT and the direction."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", help="checkpoint to read")
    parser.add_argument("target", help="checkpoint to write (replaced atomically)")
    parser.add_argument("--reverse", action="store_true",
                        help="convert our OATDetector checkpoint into upstream's format")
    return parser.parse_args(argv)


def convert_file(source: str, target: str, reverse: bool = False) -> dict:
    """Reads ``source``, converts its state dict, writes ``target``; returns what was written."""
    checkpoint = _load(source, trusted=reverse)
    if not isinstance(checkpoint, dict) or "state_dict" not in checkpoint:
        raise KeyError(f"{source}: expected a dict with a 'state_dict' entry")
    if reverse:
        meta = checkpoint.get("meta") or {}
        output = dict(epoch=int(meta.get("epoch", 0)),
                      state_dict=convert_our_state_dict(checkpoint["state_dict"]))
    else:
        state_dict, config = convert_upstream_state_dict(checkpoint["state_dict"])
        meta = dict(epoch=int(checkpoint.get("epoch", 0)), converted_from=os.path.abspath(source),
                    source_format="OAT-OSN MYNET", model_sizes=_stored_sizes(config))
        output = dict(meta=meta, state_dict=state_dict)
    _save_atomic(output, target)
    return output


def _stored_sizes(config: dict) -> dict:
    """The sizes a checkpoint really fixes: anchor count, not lengths; no head counts."""
    sizes = {key: value for key, value in config.items() if key != "anchors"}
    sizes["num_anchors"] = len(config["anchors"])
    for part in ("encoder", "decoder"):
        sizes[part] = {key: value for key, value in config[part].items() if key != "num_heads"}
    return sizes


def _load(path: str, trusted: bool) -> dict:
    if not os.path.isfile(path):
        raise FileNotFoundError(f"checkpoint not found: {path}")
    try:
        return torch.load(path, map_location="cpu", weights_only=not trusted)
    except pickle.UnpicklingError:
        raise ValueError(f"{path}: not an upstream OAT checkpoint (it holds python objects, as "
                         "mmengine checkpoints do; convert one of ours with --reverse)") from None
    except Exception as err:  # noqa: BLE001  (torch raises many types for unreadable files)
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ValueError(f"{path}: cannot read checkpoint: {reason}") from None


def _save_atomic(obj: dict, path: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
    os.close(handle)
    try:
        torch.save(obj, temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def main(argv: list[str] | None = None) -> int:
    """CLI entry: one clear line on stderr and exit code 1 on bad input."""
    args = parse_args(argv)
    try:
        output = convert_file(args.source, args.target, args.reverse)
    except (ValueError, FileNotFoundError, KeyError) as err:
        message = err.args[0] if isinstance(err, KeyError) and err.args else err
        print(f"convert_oat_checkpoint: error: {message}", file=sys.stderr)
        return 1
    print(f"wrote {args.target}: {len(output['state_dict'])} tensors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
