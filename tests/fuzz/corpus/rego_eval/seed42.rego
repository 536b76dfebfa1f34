package test

obj = {"a": {"foo": 1}}
patches = [{"op": "add", "path": "/a/bar", "value": 2}]
result = json.patch(obj, patches)
