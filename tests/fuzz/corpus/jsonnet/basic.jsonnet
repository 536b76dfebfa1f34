{ a: [1, 2] + [3], b: 'x' + 1, c: self.a[0], d: 'foo' in {foo: 1}, s: '%d' % 3 }
