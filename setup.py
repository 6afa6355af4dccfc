"""Installs our OAT (`oat`) and the OnPoint plugin (`onpoint_ext`)."""
from setuptools import find_packages, setup

setup(
    name="onpoint-oat",
    version="0.1.0",
    description="OnPoint (point-supervised online temporal action localization) on top of OAT",
    packages=find_packages(include=["oat", "oat.*", "onpoint_ext", "onpoint_ext.*"]),
    python_requires=">=3.10",
    install_requires=["torch>=2.1", "numpy", "mmengine>=0.10.4", "h5py", "scipy"],
    extras_require={"dev": ["pytest"], "tb": ["tensorboard"]},
)
