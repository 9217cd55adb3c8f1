"""Rows, ratios, markdown tables and JSON of ``gpu_suite.py``."""
from __future__ import annotations

import json
import statistics

ORIG_IMG_S = {'sandwich': 21.3, 'atomnas_supernet': 475.0}  # authors' code, H100, b64 fp32


def summarise(cfg, times, first, peak, mmacs):
    """Per row: median / min / max of the timed rounds, the warm-up rounds
    (the first is the cold step: cudnn tuning, compile), peak memory."""
    rows = {}
    for row, ts in times.items():
        med = statistics.median(ts)
        rows[row] = dict(batch=cfg[0], precision=cfg[1], format=cfg[2], median_ms=med * 1e3,
                         min_ms=min(ts) * 1e3, max_ms=max(ts) * 1e3, rounds=len(ts),
                         img_s=cfg[0] / med, first_ms=first.get(row, [0.0])[0] * 1e3,
                         warmup_ms=[t * 1e3 for t in first.get(row, [])],
                         peak_mib=peak[row] / 2**20 if row in peak else None,
                         mmacs_per_img=mmacs.get(row))
    return rows


RATIOS = (('sandwich / static_sum', 'sandwich', 'static_sum'),
          ('atomnas / mbv2', 'atomnas_supernet', 'mobilenet_v2'),
          ('B / mbv2', 'atomnas_shrunk_b', 'mobilenet_v2'),
          ('A / mbv2', 'atomnas_shrunk_a', 'mobilenet_v2'),
          ('bestup3 / uniform', 'bestup3', 'uniform'),
          ('compiled sandwich / compiled static', 'sandwich_compiled', 'static_sum_compiled'),
          ('compiled / eager sandwich', 'sandwich_compiled', 'sandwich'),
          ('compiled / eager static', 'static_sum_compiled', 'static_sum'),
          ('authors / our sandwich', 'authors_sandwich', 'sandwich'),
          ('authors / our AtomNAS supernet', 'authors_atomnas_supernet', 'atomnas_supernet'))


def ratios(rows, mmacs):
    out = {}
    for name, a, b in RATIOS:
        if a in rows and b in rows:
            out[name] = rows[a]['median_ms'] / rows[b]['median_ms']
            if name == 'atomnas / mbv2':  # the target is relative to the FLOPs ratio
                out['atomnas FLOPs ratio'] = mmacs[a] / mmacs[b]
        if name == 'sandwich / static_sum' and a in rows:
            out['sandwich img/s'] = rows[a]['img_s']
        if name == 'atomnas / mbv2' and a in rows:
            out['atomnas img/s'] = rows[a]['img_s']
    for row in ('sandwich_compiled', 'static_sum_compiled'):  # compile time, apart
        if row in rows:
            out[f'{row} compile s'] = (rows[row]['first_ms'] - rows[row]['median_ms']) / 1e3
    return out


def write_json(args, **data):
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / 'gpu_suite.json').write_text(json.dumps(data, indent=1))


def print_tables(results, table, notes):
    print('\n| config | row | step ms (median) | min-max | img/s | first step ms | peak MiB |')
    print('|---|---|---|---|---|---|---|')
    for key, rows in results.items():
        for row, v in rows.items():
            peak = '—' if v['peak_mib'] is None else f"{v['peak_mib']:.0f}"
            print(f"| {key} | {row} | {v['median_ms']:.1f} | {v['min_ms']:.1f}-{v['max_ms']:.1f} "
                  f"| {v['img_s']:.1f} | {v['first_ms']:.0f} | {peak} |")
    cols = list(dict.fromkeys(c for t in table.values() for c in t))
    print(f'\nTargets: sandwich / static_sum <= 1.5 and sandwich img/s >= '
          f'{10 * ORIG_IMG_S["sandwich"]:.0f}; atomnas / mbv2 <= 1.2 x the FLOPs ratio and atomnas '
          f'img/s >= {2 * ORIG_IMG_S["atomnas_supernet"]:.0f}; bestup3 / uniform <= 1.2\n')
    print('| config | ' + ' | '.join(cols) + ' |\n|---|' + '---|' * len(cols))
    for key, t in table.items():
        cells = ('—' if c not in t else f"{t[c]:.1f}" if c.endswith((' s', 'img/s'))
                 else f"{t[c]:.2f}x"
                 for c in cols)
        print(f'| {key} | ' + ' | '.join(cells) + ' |')
    for key, note in notes.items():
        print(f'# {key}: {note}')
