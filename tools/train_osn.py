"""Train OAT-OSN's SuppressNet from a trained OAT checkpoint (oat-spec §6.4).

    python tools/train_osn.py CONFIG CHECKPOINT --out OSN.pth [--select-on val|test|none]
        [--epochs 5] [--batch-size 128] [--queue-length L] [--cfg-options ...]

Training videos: the config's training videos (``subset``/``holdout`` of
``train_dataloader.dataset``), read whole with the settings of ``val_dataloader.dataset``.
Selection: the epoch with the lowest summed loss on the validation videos (``val``, default),
on the test videos (``test``: upstream's protocol, optimistic), or the last epoch (``none``).
The output holds ``state_dict`` (loadable by ``OATOSN(checkpoint=...)``) and ``meta``.
"""
import argparse
import os

import torch
from mmengine.utils import ProgressBar

from oat.cli import add_config_arguments, load_config, run_tool
from oat.inference import OnlineVideoPredictor
from oat.inference.model_loading import load_trained_model, online_settings
from oat.inference.osn_training import OSNQueues, make_osn_tables, train_suppressnet
from oat.registry import DATASETS


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("config")
    parser.add_argument("checkpoint", help="trained OAT checkpoint")
    parser.add_argument("--out", required=True, help="where to write the SuppressNet weights")
    parser.add_argument("--select-on", choices=("val", "test", "none"), default="val")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--queue-length", type=int,
                        help="OSN queue length L (default: the model's window, as upstream)")
    add_config_arguments(parser)
    return parser.parse_args()


def video_datasets(cfg, select_on: str) -> tuple:
    """(training videos, selection videos or None) as whole-video datasets."""
    whole_videos = dict(cfg.val_dataloader.dataset)
    train_windows = cfg.train_dataloader.dataset
    train = DATASETS.build(dict(whole_videos, subset=train_windows.get("subset", "train"),
                                holdout=train_windows.get("holdout", "all")))
    if select_on == "none":
        return train, None
    loader = cfg.val_dataloader if select_on == "val" else cfg.test_dataloader
    return train, DATASETS.build(dict(loader.dataset))


def osn_queues(model, dataset, queue_length: int) -> OSNQueues:
    """Runs the model over every video of ``dataset`` and builds the OSN samples (in steps)."""
    _, decoding = online_settings(model)
    predictor = OnlineVideoPredictor(dict(type="StepNMS"), **decoding)
    tables, progress = [], ProgressBar(len(dataset))
    for index in range(len(dataset)):
        item = dataset[index]
        meta = dict(item["data_samples"])
        steps = int(meta["num_steps"])
        survivors = predictor(model, item["inputs"], dict(meta, duration=float(steps)))
        tables.append(make_osn_tables(survivors, steps, model.num_classes))
        progress.update()
    return OSNQueues(tables, queue_length)


def save_atomically(payload: dict, path: str) -> None:
    """torch.save to a temporary file beside ``path``, then rename over it."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    temporary = os.path.join(folder, f".{os.path.basename(path)}.tmp")
    torch.save(payload, temporary)
    os.replace(temporary, path)


def main() -> None:
    args = parse_args()
    cfg = load_config(args.config, args.work_dir, args.cfg_options)
    model = load_trained_model(cfg, args.checkpoint)
    queue_length = args.queue_length or model.window
    train_videos, selection_videos = video_datasets(cfg, args.select_on)
    train = osn_queues(model, train_videos, queue_length)
    selection = osn_queues(model, selection_videos, queue_length) if selection_videos else None
    network, history = train_suppressnet(
        train, selection, epochs=args.epochs, batch_size=args.batch_size)
    save_atomically(dict(state_dict=network.state_dict(), meta=dict(
        config=os.path.abspath(args.config), checkpoint=os.path.abspath(args.checkpoint),
        queue_length=queue_length, select_on=args.select_on, history=history)), args.out)
    print(f"SuppressNet ({queue_length}-step queue) written to {args.out}")


if __name__ == "__main__":
    run_tool(main)
