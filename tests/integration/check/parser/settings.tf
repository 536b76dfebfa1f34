cluster_name = "ledger"
node_count   = 3
