#!/usr/bin/env python3
"""gen_arith_random.py - random arithmetic cases answered by OPA, for the
big.Float emulation behind gatehouse's number builtins (arith.c).

Prints "<expression>\t<OPA's result>" lines: + - * / % between random
integers, decimals and exponent literals, abs/round/ceil/floor, sum and
product. tests/unit/builtins/test_numbers.c replays arith_random.tsv.
Regenerate by hand:
  for i in 1 2 3 4 5 6 7 8 9 10; do tests/differential/gen_arith_random.py $i 300; done \
      > tests/differential/arith_random.tsv
Env: OPA=/path/to/opa (default: ../shared/peers/opa-0.61.0/opa)
"""
import os
import random, json, subprocess, sys
random.seed(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
def num():
    k = random.random()
    s = '-' if random.random() < 0.3 else ''
    if k < 0.2: return s + str(random.randint(0, 2000))
    if k < 0.35: return s + str(random.randint(0, 10**random.randint(1, 40)))
    if k < 0.7:
        ip = str(random.randint(0, 10**random.randint(0, 12)))
        fp = ''.join(random.choice('0123456789') for _ in range(random.randint(1, 25)))
        return s + ip + '.' + fp
    m = str(random.randint(1, 10**random.randint(1, 22)))
    if random.random() < 0.5 and len(m) > 1: m = m[0] + '.' + m[1:]
    return s + m + 'e' + str(random.randint(-350, 350))
exprs = []
for _ in range(int(sys.argv[2]) if len(sys.argv) > 2 else 200):
    r = random.random()
    if r < 0.6:
        op = random.choice(['+', '-', '*', '/'])
        a, b = num(), num()
        if op == '/' and float(b) == 0: b = '3'
        exprs.append(f'({a}) {op} ({b})')
    elif r < 0.8:
        exprs.append(f'{random.choice(["abs","round","ceil","floor"])}({num()})')
    elif r < 0.9:
        exprs.append(f'{random.choice(["sum","product"])}([{", ".join(num() for _ in range(random.randint(0,4)))}])')
    else:
        a = str(random.randint(-10**30, 10**30)); b = str(random.randint(1, 10**20) * random.choice([1,-1]))
        exprs.append(f'({a}) % ({b})')
q = 'x := [' + ', '.join(exprs) + ']'
res = subprocess.run([os.environ.get('OPA', os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../../shared/peers/opa-0.61.0/opa')), 'eval', '-f', 'json', '--strict-builtin-errors', q], capture_output=True, text=True).stdout
class Raw:
    def __init__(s, t): s.t = t
doc = json.loads(res, parse_float=Raw, parse_int=Raw)
if 'result' not in doc:
    print(res[:500], file=sys.stderr); sys.exit(1)
vals = doc['result'][0]['bindings']['x']
for e, v in zip(exprs, vals):
    print(e + '\t' + v.t)
