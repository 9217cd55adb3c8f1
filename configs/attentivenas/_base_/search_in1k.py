# Evolutionary search as published (docs/methods/attentivenas.md#evolution-search):
# population 512, then 20 generations of 128 mutations (prob 0.1 per gene) +
# 128 crossovers of the top 128; ~5k archs; fitness = top-1 after BN
# recalibration on 64 training batches.
# The paper measures it on a held-out part of train; point `dataloader` at such
# a split (e.g. an ann_file listing 10k train images held out of supernet
# training). By default it uses ImageNet val.
_base_ = ['../attentivenas-bestup3-loss_64xb32_in1k.py']
search_cfg = dict(
    type='EvolutionSearchLoop',
    dataloader={{_base_.val_dataloader}},
    calib_dataloader={{_base_.train_dataloader}},
    calib_batches=64,
    cache_data=False,  # 64 x 32 training images + the held-out set: too large to cache
    fitness='accuracy',
    min_mflops=0.0,
    max_mflops=1e9,  # set per budget (attentivenas-search-a0_in1k.py ... attentivenas-search-a6_in1k.py)
    population_size=512,
    num_parents=128,
    num_mutations=128,
    mutation_prob=0.1,
    num_crossovers=128,
    generations=20,
    seed=0,
)
