# Evolutionary search on the demo supernet (attentivenas-bestup3-loss_demo.py):
#   python tools/search.py configs/attentivenas/search_demo.py \
#       --checkpoint work_dirs/attentivenas-bestup3-loss_demo/epoch_3.pth
# Fitness: top-1 on the demo val split after BN recalibration on 4 training
# batches; a small population so it runs in a minute or two on CPU.
_base_ = ['./attentivenas-bestup3-loss_demo.py']
search_cfg = dict(
    type='EvolutionSearchLoop',
    dataloader={{_base_.val_dataloader}},
    calib_dataloader={{_base_.train_dataloader}},
    calib_batches=4,
    fitness='accuracy',
    min_mflops=0.0,
    max_mflops=40.0,  # the demo space spans ~12.7-158 MFLOPs (48-64 px)
    population_size=16,
    num_parents=8,
    num_mutations=8,
    mutation_prob=0.1,
    num_crossovers=8,
    generations=3,
    seed=0,
)
