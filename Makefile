# The README's commands, as targets.
PYTHON ?= python

.PHONY: install data demo test

install:
	bash tools/setup_env.sh

data: install
	$(PYTHON) tools/data/build_imagenet_demo.py --out data/imagenet_demo

# Train AtomNAS-A on the demo data; prints top-1, FLOPs and the checkpoint path.
demo: data
	$(PYTHON) tools/train.py configs/atomnas/atomnas-a_demo.py

test: install
	$(PYTHON) -m pytest -q
