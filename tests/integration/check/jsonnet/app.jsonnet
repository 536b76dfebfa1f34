local lib = import 'lib.libsonnet';
{
  name: 'web',
  replicas: lib.replicas('dev'),
  ports: [80] + [443],
  labels: { team: 'a' } + { tier: 'front' },
}
