//! GTC007 dependency-cycle: `needs` / `depends_on` edges that loop back, found with
//! petgraph's strongly connected components and reported once per cycle with its path.

use super::{CheckCx, walk_list};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Step, Text};
use petgraph::graph::{DiGraph, NodeIndex};
use rustc_hash::FxHashMap as HashMap;

pub(crate) fn run(cx: &CheckCx<'_>, out: &mut Vec<Diagnostic>) {
    for (list, steps) in cx.formula.step_lists() {
        // One graph per namespace (the top level, each loop body).
        let mut graphs: HashMap<super::Namespace, Graph<'_>> = HashMap::default();
        let mut order: Vec<super::Namespace> = Vec::new();
        walk_list(steps, list, &mut |s, p| {
            let Some(id) = &s.id else { return };
            let ns = p.namespace();
            if !graphs.contains_key(&ns) {
                order.push(ns.clone());
            }
            let g = graphs.entry(ns).or_default();
            let n = g.node(&id.value);
            g.steps.entry(n).or_insert(s);
        });
        for ns in order {
            if let Some(g) = graphs.get_mut(&ns) {
                g.report(out);
            }
        }
    }
}

#[derive(Default)]
struct Graph<'a> {
    graph: DiGraph<&'a str, ()>,
    index: HashMap<&'a str, NodeIndex>,
    steps: HashMap<NodeIndex, &'a Step>,
}

impl<'a> Graph<'a> {
    fn node(&mut self, id: &'a str) -> NodeIndex {
        if let Some(&n) = self.index.get(id) {
            return n;
        }
        let n = self.graph.add_node(id);
        self.index.insert(id, n);
        n
    }

    /// The dependency of `from` that points at `to`, for the diagnostic's span.
    fn edge_text(&self, from: NodeIndex, to: NodeIndex) -> Option<&'a Text> {
        let to_id = &self.graph[to];
        self.steps.get(&from)?.deps().find(|d| &d.value == to_id)
    }

    fn report(&mut self, out: &mut Vec<Diagnostic>) {
        // Edges point from a step to what it depends on; only steps of this graph count.
        let mut edges = Vec::new();
        for (&n, s) in &self.steps {
            for d in s.deps() {
                if let Some(&m) = self.index.get(d.value.as_str())
                    && self.steps.contains_key(&m)
                {
                    edges.push((n, m));
                }
            }
        }
        edges.sort();
        edges.dedup();
        for (a, b) in edges {
            self.graph.add_edge(a, b, ());
        }
        let mut cycles: Vec<Vec<NodeIndex>> = Vec::new();
        // Kosaraju's algorithm is iterative in petgraph; its Tarjan recurses once per step
        // of a dependency path, which overflows the stack on a long chain (100 000 steps).
        for scc in petgraph::algo::kosaraju_scc(&self.graph) {
            let self_loop = scc.len() == 1 && self.graph.contains_edge(scc[0], scc[0]);
            if scc.len() > 1 || self_loop {
                cycles.push(self.cycle_path(&scc));
            }
        }
        for cycle in cycles {
            let first = cycle[0];
            let next = cycle.get(1).copied().unwrap_or(first);
            let Some(t) = self.edge_text(first, next) else {
                continue;
            };
            let mut names: Vec<&str> = cycle.iter().map(|n| self.graph[*n]).collect();
            names.push(self.graph[first]);
            let mut d = Diagnostic::new(
                Code::DependencyCycle,
                t.span,
                if cycle.len() == 1 {
                    format!("step `{}` depends on itself", self.graph[first])
                } else {
                    format!("dependency cycle: {}", names.join(" -> "))
                },
            )
            .with_help(
                "remove one of the dependencies in the cycle; a cycle can never become ready",
            );
            for w in cycle.windows(2).skip(1) {
                if let Some(t) = self.edge_text(w[0], w[1]) {
                    d = d.with_label(
                        t.span,
                        format!("`{}` depends on `{}`", self.graph[w[0]], self.graph[w[1]]),
                    );
                }
            }
            if cycle.len() > 1
                && let Some(last) = cycle.last()
                && let Some(t) = self.edge_text(*last, first)
            {
                d = d.with_label(
                    t.span,
                    format!("`{}` depends on `{}`", self.graph[*last], self.graph[first]),
                );
            }
            out.push(d);
        }
    }

    /// A simple cycle through the component, starting at its earliest-declared step.
    fn cycle_path(&self, scc: &[NodeIndex]) -> Vec<NodeIndex> {
        let mut start = scc[0];
        for &n in scc {
            let span = |n: NodeIndex| self.steps.get(&n).map_or(u32::MAX, |s| s.span.start);
            if span(n) < span(start) {
                start = n;
            }
        }
        if scc.len() == 1 {
            return vec![start];
        }
        // BFS inside the component from `start` back to `start`.
        let inside: rustc_hash::FxHashSet<NodeIndex> = scc.iter().copied().collect();
        let mut prev: HashMap<NodeIndex, NodeIndex> = HashMap::default();
        let mut queue = std::collections::VecDeque::from([start]);
        let mut closing = None;
        'bfs: while let Some(n) = queue.pop_front() {
            let mut next: Vec<NodeIndex> = self
                .graph
                .neighbors(n)
                .filter(|m| inside.contains(m))
                .collect();
            next.sort();
            for m in next {
                if m == start {
                    closing = Some(n);
                    break 'bfs;
                }
                if let std::collections::hash_map::Entry::Vacant(e) = prev.entry(m) {
                    e.insert(n);
                    queue.push_back(m);
                }
            }
        }
        let mut path = Vec::new();
        let mut cur = closing;
        while let Some(n) = cur {
            path.push(n);
            if n == start {
                break;
            }
            cur = prev.get(&n).copied();
        }
        path.reverse();
        if path.first() != Some(&start) {
            path.insert(0, start);
        }
        path
    }
}
