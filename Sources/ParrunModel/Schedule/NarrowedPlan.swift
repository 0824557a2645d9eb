extension Plan {
    /// The plan drawn for `--graph` with targets or `--label`: only the
    /// tickets they chose and everything those depend on (done ones too,
    /// which the printers grey out). With `--limit` alone it is the whole plan.
    public func narrowed(to choice: TicketSelection) -> Plan {
        guard choice.request.narrowsGraph else { return self }
        let (subgraph, original) = graph.restricted(to: choice.considered)
        return Plan(
            graph: subgraph, runs: original.map { runs[$0] }, jobs: jobs, agents: agents, pools: pools,
            weights: weights.map { weights in original.map { weights[$0] } })
    }
}
