"""The deployable AtomicBlock: module calls only (every norm is called in
training and eval), and its one precision choice under CPU autocast."""
import pytest
import torch

from nas_backbones.ops.atomic_block import AtomicBlock


@pytest.mark.parametrize('train', [True, False], ids=['train', 'eval'])
def test_every_submodule_is_called(train):
    torch.manual_seed(0)
    block = AtomicBlock(8, 8, 1, (3, 5, 7), (16, 24, 40), se_ratio=0.5).train(train)
    leaves = [m for m in block.modules() if not list(m.children())]
    called = set()
    for m in leaves:
        m.register_forward_hook(lambda mod, i, o: called.add(id(mod)))
    block(torch.randn(2, 8, 9, 9))
    assert called == {id(m) for m in leaves}


def test_dw_convs_in_fp32_under_cpu_autocast_training():
    """oneDNN's bf16 depthwise backward is slow: a CPU autocast training
    step runs the dw convs in fp32 (a forward-only run keeps bf16), and the
    result stays close to fp32."""
    torch.manual_seed(0)
    block = AtomicBlock(8, 8, 1, (3, 5, 7), (16, 24, 40))
    dtypes = []
    for conv in block.dw:
        conv.register_forward_hook(lambda mod, i, o: dtypes.append(o.dtype))
    x = torch.randn(4, 8, 9, 9)
    ref = block(x)
    dtypes.clear()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        y = block(x)
    assert dtypes == [torch.float32] * 3
    y.float().sum().backward()
    torch.testing.assert_close(y.float(), ref, atol=0.1, rtol=0.05)
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in block.parameters())
    dtypes.clear()
    with torch.no_grad(), torch.autocast('cpu', dtype=torch.bfloat16):
        block.eval()(x)
    assert dtypes == [torch.bfloat16] * 3
