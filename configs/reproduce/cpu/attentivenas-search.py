# Subnet evaluation of claims 4-5 (and a search config for tools/search.py):
# EvolutionSearchLoop as configs/attentivenas/search_demo.py -- top-1 on the
# val split after BN recalibration on 4 training batches. run.py builds this
# loop as tools/search.py does and calls its fitness on a fixed list of
# subnets (the same list for every supernet); the sampler of the training
# config does not enter the evaluation.
#   python tools/search.py configs/reproduce/cpu/attentivenas-search.py --checkpoint CKPT
_base_ = ['./attentivenas-bestup3-loss.py']
search_cfg = dict(
    type='EvolutionSearchLoop',
    dataloader={{_base_.val_dataloader}},
    calib_dataloader={{_base_.train_dataloader}},
    calib_batches=4,
    fitness='accuracy',
    min_mflops=0.0,
    max_mflops=2.0,  # the space spans 0.66-5.6 MFLOPs
    population_size=16,
    num_parents=8,
    num_mutations=8,
    mutation_prob=0.1,
    num_crossovers=8,
    generations=3,
    seed=0,
)
