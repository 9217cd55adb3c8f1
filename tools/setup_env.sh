#!/usr/bin/env bash
# Take a fresh machine (Python 3.11, CPU, package registries only) to a working
# nas_backbones environment. Idempotent: on a ready machine it only checks.
#
#   bash tools/setup_env.sh        (also: make install)
#
# mmcv 2.1.0 has no wheel for torch 2.14, so it is compiled once from the sdist
# with its ops (~11 min on 2 cores) and the wheel is cached outside the checkout.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${NAS_BACKBONES_CACHE:-$HOME/.cache/nas_backbones}
WHEELS=$CACHE/wheels
PY=${PYTHON:-python3}
# An interpreter given as a relative path must survive the `cd /` below; keep
# the venv's own path (no realpath: that would resolve to the base interpreter).
case $PY in */*) PY="$(cd "$(dirname "$PY")" && pwd)/$(basename "$PY")" ;; esac
PIP="$PY -m pip --disable-pip-version-check -q"
mkdir -p "$WHEELS"

log() { printf '[setup_env] %s\n' "$*"; }

# 1. Real images for the demo data: Debian's Fashion-MNIST.
if [ ! -d /usr/share/dataset-fashion-mnist ] && ! dpkg -s dataset-fashion-mnist >/dev/null 2>&1; then
  log "installing Debian dataset-fashion-mnist"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq dataset-fashion-mnist >/dev/null
fi

# 2. Build tools. setuptools<82 keeps pkg_resources, which mmengine uses to
#    resolve `mmdet::`/`mmpretrain::` config bases.
have() { $PY - "$@" <<'PYEOF'
import sys
from importlib import metadata
for spec in sys.argv[1:]:
    name, _, ver = spec.partition('==')
    try:
        got = metadata.version(name)
    except metadata.PackageNotFoundError:
        sys.exit(1)
    if ver and got.split('+')[0] != ver:
        sys.exit(1)
PYEOF
}
ensure_build_tools() {
  $PY - <<'PYEOF' >/dev/null 2>&1 || $PIP install "setuptools<82" wheel ninja
import sys
from importlib import metadata
import ninja, wheel  # noqa: F401
sys.exit(0 if int(metadata.version('setuptools').split('.')[0]) < 82 else 1)
PYEOF
}
ensure_build_tools

# 3. torch + torchvision (CPU here; the pip cap on this machine serves these from disk).
have torch==2.14.1 torchvision==0.29.1 || { log "installing torch/torchvision"; $PIP install torch==2.14.1 torchvision==0.29.1; }
have mmengine==0.10.7 || { log "installing mmengine"; $PIP install mmengine==0.10.7; }

# 4. mmcv 2.1.0 with ops, compiled once and cached.
ensure_build_tools  # torch/mmengine may have pulled a newer setuptools back in
if ! have mmcv==2.1.0 || ! $PY -c "import mmcv.ops" >/dev/null 2>&1; then
  whl=$(ls "$WHEELS"/mmcv-2.1.0-*.whl 2>/dev/null | head -n1 || true)
  if [ -z "$whl" ]; then
    log "building mmcv 2.1.0 with ops from the sdist (about 11 min on 2 cores, once)"
    build=$(mktemp -d)
    # --no-build-isolation: the isolated env would take setuptools>=82, whose missing
    # pkg_resources breaks mmcv's setup.py already at metadata time.
    $PIP download --no-deps --no-binary :all: --no-build-isolation -d "$build" mmcv==2.1.0
    tar -xzf "$build"/mmcv-2.1.0.tar.gz -C "$build"
    # torch 2.14 headers need C++20; mmcv's setup.py hard-codes older standards.
    sed -i -e 's/-std=c++14/-std=c++20/g' -e 's/-std=c++17/-std=c++20/g' "$build"/mmcv-2.1.0/setup.py
    (cd "$build"/mmcv-2.1.0 && MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} \
      $PY -m pip wheel --no-build-isolation --no-deps -w "$WHEELS" . >"$build"/build.log 2>&1) \
      || { tail -n 40 "$build"/build.log; exit 1; }
    whl=$(ls "$WHEELS"/mmcv-2.1.0-*.whl | head -n1)
    rm -rf "$build"
  fi
  log "installing $whl"
  $PIP install --no-deps "$whl"
  $PIP install addict packaging Pillow pyyaml yapf opencv-python-headless
fi

# 5. The OpenMMLab task libraries and the rest (pinned in requirements/).
have mmdet==3.3.0 mmpretrain==1.2.0 pycocotools mat4py scikit-learn pytest matplotlib \
  onnx==1.23.2 onnxruntime==1.32.0 \
  || { log "installing mmdet, mmpretrain and test requirements"; $PIP install -r "$ROOT/requirements.txt"; }

ensure_build_tools

# 6. The package itself, editable. Checked from a neutral directory: from the
#    repo root the checkout itself is importable, which would hide a missing
#    install (tools/train.py, run as a script, does not see the root).
installed_root=$(cd / && $PY -c "import os, nas_backbones; print(os.path.dirname(os.path.dirname(os.path.realpath(nas_backbones.__file__))))" 2>/dev/null || true)
if [ "$installed_root" != "$(realpath "$ROOT")" ]; then
  log "installing nas_backbones (editable) from $ROOT${installed_root:+ (was: $installed_root)}"
  $PIP install --no-deps --no-build-isolation -e "$ROOT"
fi

(cd / && $PY -c "import torch, mmcv, mmcv.ops, mmengine, mmdet, mmpretrain, nas_backbones; print('[setup_env] ready: torch', torch.__version__, 'mmcv', mmcv.__version__, 'mmdet', mmdet.__version__, 'mmpretrain', mmpretrain.__version__, 'nas_backbones', nas_backbones.__file__)")
