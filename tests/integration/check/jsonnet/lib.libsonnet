{ replicas(env):: if env == 'prod' then 3 else 1 }
