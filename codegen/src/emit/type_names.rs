//! Canonical names of the type space: the official SDK's names first, then a field's name that
//! no other definition asks for, then the qualified name of the first use.

use std::collections::{BTreeMap, BTreeSet};

use super::names::{pascal, unique};
use super::types::TypeSpace;

impl TypeSpace {
    /// The official SDK's names: `Transaction` for the definition whose SDK name has the
    /// shortest package among those that share it (`payments.Transaction` before
    /// `partnerpayments.Transaction`), the package-qualified name for the others
    /// (`PartnerpaymentsTransaction`).
    fn sdk_names(&self) -> BTreeMap<usize, String> {
        let mut by_simple: BTreeMap<String, Vec<(usize, &str)>> = BTreeMap::new();
        for (id, def) in self.defs.iter().enumerate() {
            if let Some(sdk) = &def.sdk_name {
                let simple = pascal(sdk.rsplit('.').next().unwrap_or(sdk));
                by_simple.entry(simple).or_default().push((id, sdk.as_str()));
            }
        }
        let mut out = BTreeMap::new();
        for (simple, mut ids) in by_simple {
            ids.sort_by(|a, b| (a.1.len(), a.1).cmp(&(b.1.len(), b.1)));
            for (i, (id, sdk)) in ids.into_iter().enumerate() {
                let name = if i == 0 {
                    simple.clone()
                } else {
                    pascal(&sdk.replace('.', "_"))
                };
                out.insert(id, name);
            }
        }
        out
    }

    /// The spec's own names of named types: a name for the first definition that requires it
    /// (by id), and for another (the same named type in the other direction) the name with
    /// `Request` or `Response` after it.
    fn required_names(&self) -> BTreeMap<usize, String> {
        let mut out = BTreeMap::new();
        let mut granted: BTreeSet<&str> = BTreeSet::new();
        for (id, def) in self.defs.iter().enumerate() {
            if let Some(name) = &def.required {
                let name = if granted.insert(name.as_str()) {
                    name.clone()
                } else {
                    format!("{name}{}", if def.is_response() { "Response" } else { "Request" })
                };
                out.insert(id, name);
            }
        }
        out
    }

    /// The canonical name of every definition, by id: the spec's own name of a named type
    /// ([`TypeSpace::required_names`]), else the official SDK's
    /// ([`TypeSpace::sdk_names`]), else a field's name no other definition asks for, else the
    /// qualified name of its first use. Computed once, after every module has named its types,
    /// for [`TypeSpace::emit`] and `ModuleTypes::reexports`.
    pub fn names(&self) -> Vec<String> {
        let mut sdk = self.sdk_names();
        sdk.extend(self.required_names());
        let mut claims: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
        for (id, def) in self.defs.iter().enumerate() {
            for name in &def.suggested {
                claims.entry(name.as_str()).or_default().insert(id);
            }
        }
        // A name an APIv3 type asks for is never granted to an APIv2 one, nor lost to it.
        let primary: BTreeSet<&str> = self
            .defs
            .iter()
            .filter(|d| !d.xml)
            .flat_map(|d| d.suggested.iter().map(String::as_str))
            .collect();
        for (name, ids) in claims.iter_mut() {
            if primary.contains(name) {
                ids.retain(|id| !self.defs[*id].xml);
            }
        }
        let qualified: BTreeSet<&str> = self.defs.iter().map(|d| d.qualified.as_str()).collect();
        let mut taken: BTreeSet<String> = sdk.values().cloned().collect();
        let mut names = Vec::with_capacity(self.defs.len());
        for (id, def) in self.defs.iter().enumerate() {
            if let Some(name) = sdk.get(&id) {
                names.push(name.clone());
                continue;
            }
            let granted = def.suggested.iter().find(|name| {
                (!def.xml || !primary.contains(name.as_str()))
                    && claims
                        .get(name.as_str())
                        .is_some_and(|ids| ids.len() == 1 && ids.contains(&id))
                    && !qualified.contains(name.as_str())
                    && !taken.contains(name.as_str())
            });
            let name = match granted {
                Some(name) => name.clone(),
                None => unique(&def.qualified, |n| taken.contains(n)),
            };
            taken.insert(name.clone());
            names.push(name);
        }
        names
    }
}
