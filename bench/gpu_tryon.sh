#!/usr/bin/env bash
# The diffusion engine on one GPU in one go (about 5 minutes on an H200; under 8):
#   1. a random-weight SD-1.5-sized CatVTON layout (bench/catvton_layout.py: diffusers base folder in fp16,
#      attention file saved through accelerate as CatVTON's training code saves it),
#   2. `python -m tryon.engines.tryon_models check` on it at 1024 x 768 on CUDA,
#   3. bench/tryon_diffusion.py at 1024 x 768: DPM-Solver++ 20 and 50 steps, eager, compiled and eager with
#      cuDNN's attention kernel (Hopper) instead of the default flash kernel,
#      then CatVTON's own DDIM at 50 steps, eager, for comparison.
# Everything goes to $OUT (gpu_tryon.log holds it all). Needs torch, transformers, accelerate, safetensors
# and huggingface_hub; diffusers comes from the wheel in .whl/ when there is one. No Django, no network.
#   GPU_TRYON_SMOKE=1 PYTHON=.venv/bin/python bash bench/gpu_tryon.sh   # the same on CPU, tiny, ~3 minutes
set -uo pipefail
cd "$(dirname "$0")/.."
if compgen -G ".whl/*.whl" > /dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl
  export PYTHONPATH=/tmp/site:$PWD
fi
export HF_HUB_OFFLINE=1
OUT=${OUT:-$(mktemp -d)}
PYTHON=${PYTHON:-python3}
WORK=$(mktemp -d)  # the random models (2 GB at SD-1.5 size): not worth bringing back
trap 'rm -rf "$WORK"' EXIT
if [ "${GPU_TRYON_SMOKE:-0}" = 1 ]; then
  # --full and a small matmul take the CUDA run's timing path on the CPU
  DEVICE=cpu SHAPE=tiny SIZE=64x48 STEPS=2,3 CHECK_STEPS=2 TIMING=(--full --peak-size 256) MODES=eager,compiled
else
  DEVICE=cuda SHAPE=sd15 SIZE=1024x768 STEPS=20,50 CHECK_STEPS=20 TIMING=() MODES=eager,compiled,eager+cudnn
fi
failed=()
step() {  # step NAME COMMAND...: run it, log it, remember a failure and go on
  local name=$1; shift
  echo; echo "== $name ($SECONDS s in): $*"
  "$@" 2>&1 | tee "$OUT/$name.log"
  local status=${PIPESTATUS[0]}
  [ "$status" = 0 ] || { echo "== $name FAILED with status $status"; failed+=("$name"); }
}

main() {
  command -v nvidia-smi > /dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
  $PYTHON -c 'import sys, torch, diffusers, accelerate; print(sys.version.split()[0], "torch", torch.__version__,
"cuda", torch.version.cuda, "diffusers", diffusers.__version__, "accelerate", accelerate.__version__)'
  step layout $PYTHON bench/catvton_layout.py "$WORK/models" --shape "$SHAPE" --device "$DEVICE"
  step check $PYTHON -m tryon.engines.tryon_models check --base "$WORK/models/base" \
    --attention "$WORK/models/catvton/mix-48k-1024" --device "$DEVICE" --size "$SIZE" --steps "$CHECK_STEPS" \
    --out "$OUT/smoke.png"
  step bench $PYTHON bench/tryon_diffusion.py --device "$DEVICE" --shape "$SHAPE" --sizes "$SIZE" --steps "$STEPS" \
    --modes "$MODES" --scheduler dpmsolver++ --timeout 300 "${TIMING[@]}"
  if [ "$SECONDS" -lt 400 ]; then  # CatVTON's own sampler, for comparison, while the 8 minutes allow
    step bench_ddim $PYTHON bench/tryon_diffusion.py --device "$DEVICE" --shape "$SHAPE" --sizes "$SIZE" \
      --steps "${STEPS##*,}" --modes eager --scheduler ddim --timeout 120 "${TIMING[@]}"
  fi
  echo; echo "== done in $SECONDS s; failed: ${failed[*]:-none}"
  [ ${#failed[@]} = 0 ]
}

main 2>&1 | tee "$OUT/gpu_tryon.log"
exit "${PIPESTATUS[0]}"
