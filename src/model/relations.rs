//! Relations that go round in a circle (`alpha` part of `beta`, `beta` part
//! of `alpha`): one error for each, naming the whole circle.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::workspace::Workspace;
use crate::diagnostic::{Diagnostic, Diagnostics};

impl Workspace {
    /// One error for each cycle of a relation that is not symmetric (`alpha`
    /// part of `beta`, `beta` part of `alpha`), at the relation of the
    /// cycle's first entry by id, naming the whole cycle.
    pub(super) fn relation_cycles(&self) -> Diagnostics {
        let mut ds = Diagnostics::new();
        let symmetric: HashSet<&str> = match &self.site {
            Some((c, _)) => c.relations.iter().filter(|(_, l)| l.symmetric).map(|(n, _)| n.as_str()).collect(),
            None => HashSet::from(["related"]),
        };
        // Per relation name: id → (entry index, targets).
        let mut graphs: BTreeMap<&str, BTreeMap<&str, (usize, Vec<&str>)>> = BTreeMap::new();
        for (i, (_, e)) in self.compiled.iter().enumerate() {
            let Some(e) = e else { continue };
            for (name, target) in &e.relations {
                if !symmetric.contains(name.as_str()) {
                    let node = graphs.entry(name).or_default().entry(&e.id).or_insert((i, Vec::new()));
                    node.1.push(target);
                }
            }
        }
        for (name, graph) in &graphs {
            let mut done: HashSet<&str> = HashSet::new();
            let mut cycles: BTreeSet<Vec<&str>> = BTreeSet::new();
            for &start in graph.keys() {
                // Depth-first from `start`, in id order; a path back to an id on it is a cycle.
                let mut path: Vec<(&str, usize)> = vec![(start, 0)];
                while let Some(&(node, next)) = path.last() {
                    let targets = graph.get(node).map(|(_, t)| t.as_slice()).unwrap_or_default();
                    let Some(&target) = targets.get(next) else {
                        done.insert(node);
                        path.pop();
                        continue;
                    };
                    path.last_mut().expect("not empty").1 += 1;
                    if let Some(at) = path.iter().position(|(n, _)| *n == target) {
                        // Turned to start at its first id, so each cycle is reported once.
                        let mut cycle: Vec<&str> = path[at..].iter().map(|(n, _)| *n).collect();
                        let first = (0..cycle.len()).min_by_key(|&k| cycle[k]).unwrap_or(0);
                        cycle.rotate_left(first);
                        cycles.insert(cycle);
                    } else if !done.contains(target) && graph.contains_key(target) {
                        path.push((target, 0));
                    }
                }
            }
            for cycle in cycles {
                ds.push(self.cycle_problem(name, &cycle, graph));
            }
        }
        ds
    }

    pub(super) fn cycle_problem(
        &self,
        name: &str,
        cycle: &[&str],
        graph: &BTreeMap<&str, (usize, Vec<&str>)>,
    ) -> Diagnostic {
        let (i, _) = graph[cycle[0]];
        let next = cycle.get(1).copied().unwrap_or(cycle[0]);
        let file = self.file(i);
        let file = &file.source;
        let shown: Vec<&str> = cycle.iter().copied().chain([cycle[0]]).collect();
        let message = format!("`{name}` goes round in a circle: {}", shown.join(" → "));
        let hint = format!("an entry cannot be `{name}` of itself, even through others; remove one link of the circle");
        let span = match &self.parsed(i).1 {
            Some((_, p)) => {
                let targets = p.front_matter.relations.get(name);
                match targets.map(|t| (t.is_list(), t.as_slice().iter().position(|t| t == next))) {
                    Some((true, Some(k))) => p.value_span(&format!("relations.{name}[{k}]")),
                    _ => p.value_span(&format!("relations.{name}")),
                }
            }
            None => 0..0,
        };
        file.error(span, message).with_hint(hint)
    }
}
