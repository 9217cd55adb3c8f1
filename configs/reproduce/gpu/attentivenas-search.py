# GPU scale of ../cpu/attentivenas-search.py: subnet scoring after BN
# recalibration on 8 training batches of 128.
_base_ = ['./attentivenas-bestup3-loss.py']
search_cfg = dict(
    type='EvolutionSearchLoop',
    dataloader={{_base_.val_dataloader}},
    calib_dataloader={{_base_.train_dataloader}},
    calib_batches=8,
    fitness='accuracy',
    min_mflops=0.0,
    max_mflops=40.0,  # the space spans 22-110 MFLOPs at 48-64 px
    population_size=64,
    num_parents=16,
    num_mutations=16,
    mutation_prob=0.1,
    num_crossovers=16,
    generations=5,
    seed=0,
)
