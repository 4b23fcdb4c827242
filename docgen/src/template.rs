//! Page templates: markdown with `{{name}}` placeholders, nothing more.
//! A page's generated parts (schema, example, signature...) are offered as
//! placeholders; the template decides where they go and adds prose around
//! them.

use crate::error::DocsError;

/// Replaces each `{{name}}` (spaces inside the braces allowed) with its
/// value. A placeholder the page does not offer, or one of `required` left
/// out, is an error naming the template.
pub fn fill(
    template: &str,
    template_name: &str,
    values: &[(&str, String)],
    required: &[&str],
) -> Result<String, DocsError> {
    let mut out = String::with_capacity(template.len() * 2);
    let mut used = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| DocsError::UnclosedPlaceholder {
                template: template_name.to_owned(),
            })?;
        let name = after[..end].trim();
        let value = values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
            .ok_or_else(|| DocsError::UnknownPlaceholder {
                template: template_name.to_owned(),
                name: name.to_owned(),
                known: values
                    .iter()
                    .map(|(n, _)| format!("{{{{{n}}}}}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        out.push_str(value);
        used.push(name.to_owned());
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    if let Some(missing) = required.iter().find(|r| !used.iter().any(|u| u == *r)) {
        return Err(DocsError::MissingPlaceholder {
            template: template_name.to_owned(),
            name: (*missing).to_owned(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Vec<(&'static str, String)> {
        vec![
            ("name", "cams_x".to_owned()),
            ("schema", "## Schema".to_owned()),
        ]
    }

    #[test]
    fn placeholders_are_replaced_with_their_values() {
        let page = fill(
            "# {{name}}\n\nProse.\n\n{{ schema }}\n",
            "t",
            &values(),
            &["schema"],
        );
        assert_eq!(page.unwrap(), "# cams_x\n\nProse.\n\n## Schema\n");
    }

    #[test]
    fn unknown_placeholders_are_refused_by_name() {
        let err = fill("{{shema}}", "templates/x.md.tmpl", &values(), &[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "templates/x.md.tmpl: unknown placeholder {{shema}} (this page knows: {{name}}, {{schema}})"
        );
    }

    #[test]
    fn a_required_placeholder_left_out_is_refused() {
        let err = fill("# {{name}}", "t", &values(), &["schema"]).unwrap_err();
        assert_eq!(err.to_string(), "t: must contain {{schema}}");
    }

    #[test]
    fn an_unclosed_placeholder_is_refused() {
        let err = fill("# {{name", "t", &values(), &[]).unwrap_err();
        assert!(
            matches!(err, DocsError::UnclosedPlaceholder { .. }),
            "{err}"
        );
    }
}
