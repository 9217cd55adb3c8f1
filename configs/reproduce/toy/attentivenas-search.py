# Toy scale of ../cpu/attentivenas-search.py: the same evaluation on the toy base.
_base_ = ['./attentivenas-bestup3-loss.py']
search_cfg = dict(
    type='EvolutionSearchLoop',
    dataloader={{_base_.val_dataloader}},
    calib_dataloader={{_base_.train_dataloader}},
    calib_batches=2,
    fitness='accuracy',
    min_mflops=0.0,
    max_mflops=2.0,
    population_size=4,
    num_parents=2,
    num_mutations=2,
    mutation_prob=0.1,
    num_crossovers=2,
    generations=1,
    seed=0,
)
