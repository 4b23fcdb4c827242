//! The parts of a provider-defined function's page: its call signature,
//! its arguments (fixed, then variadic) and its return type.

use cams_provider::plugin::value::Type;
use cams_provider::plugin::{FunctionDefinition, Parameter};

use crate::markdown::{fenced, indent_continuation};
use crate::schema_md::type_label;

/// `name(a string, rest ...number) list of string`, as a code block.
pub fn signature(name: &str, def: &FunctionDefinition) -> String {
    let mut params: Vec<String> = def
        .parameters
        .iter()
        .map(|p| format!("{} {}", p.name, p.ty))
        .collect();
    if let Some(v) = &def.variadic {
        params.push(format!("{} ...{}", v.name, v.ty));
    }
    fenced(
        "text",
        &format!("{name}({}) {}", params.join(", "), def.return_type),
    )
}

/// A numbered list, fixed parameters first, then the variadic one.
pub fn arguments(def: &FunctionDefinition) -> String {
    let mut lines: Vec<String> = def
        .parameters
        .iter()
        .map(|p| argument_line(p, false))
        .collect();
    if let Some(v) = &def.variadic {
        lines.push(argument_line(v, true));
    }
    if lines.is_empty() {
        return "This function takes no arguments.".to_owned();
    }
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| format!("{}. {line}", i + 1))
        .collect::<Vec<_>>()
        .join("\n")
}

fn argument_line(p: &Parameter, variadic: bool) -> String {
    let mut flags = Vec::new();
    if variadic {
        flags.push("Variadic".to_owned());
    }
    flags.push(type_label(&p.ty));
    if p.allow_null {
        flags.push("Nullable".to_owned());
    }
    let mut line = format!("`{}` ({})", p.name, flags.join(", "));
    let description = p.markdown_description.as_deref().unwrap_or(&p.description);
    if !description.trim().is_empty() {
        line.push(' ');
        line.push_str(&indent_continuation(description.trim(), "   "));
    }
    if variadic {
        line.push_str(" Any number of these arguments may follow, none included.");
    }
    line
}

/// The return type as a Terraform type constraint, spelled out in full
/// (the signature only says `object` or `list of object`).
pub fn return_type(def: &FunctionDefinition) -> String {
    fenced("terraform", &constraint(&def.return_type, 0))
}

/// A type in Terraform's type-constraint syntax, objects one attribute a
/// line.
pub fn constraint(ty: &Type, depth: usize) -> String {
    match ty {
        Type::String => "string".to_owned(),
        Type::Number => "number".to_owned(),
        Type::Bool => "bool".to_owned(),
        Type::Dynamic => "any".to_owned(),
        Type::List(e) => format!("list({})", constraint(e, depth)),
        Type::Set(e) => format!("set({})", constraint(e, depth)),
        Type::Map(e) => format!("map({})", constraint(e, depth)),
        Type::Tuple(types) => format!(
            "tuple([{}])",
            types
                .iter()
                .map(|t| constraint(t, depth))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Type::Object(fields) if fields.is_empty() => "object({})".to_owned(),
        Type::Object(fields) => {
            let inner = "  ".repeat(depth + 1);
            let width = fields.keys().map(String::len).max().unwrap_or(0);
            let body: Vec<String> = fields
                .iter()
                .map(|(name, t)| format!("{inner}{name:<width$} = {}", constraint(t, depth + 1)))
                .collect();
            format!("object({{\n{}\n{}}})", body.join("\n"), "  ".repeat(depth))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn join_definition() -> FunctionDefinition {
        FunctionDefinition::new("Joins.", "Joins strings.", Type::list(Type::String))
            .parameter(Parameter::new("separator", Type::String, "Goes between."))
            .parameter(Parameter::new("first", Type::String, "").allow_null())
            .variadic(Parameter::new("rest", Type::Number, "More."))
    }

    #[test]
    fn the_signature_marks_the_variadic_parameter() {
        assert_eq!(
            signature("join", &join_definition()),
            "```text\njoin(separator string, first string, rest ...number) list of string\n```"
        );
    }

    #[test]
    fn arguments_are_numbered_with_the_variadic_one_last() {
        assert_eq!(
            arguments(&join_definition()),
            "1. `separator` (String) Goes between.\n\
             2. `first` (String, Nullable)\n\
             3. `rest` (Variadic, Number) More. Any number of these arguments may follow, none included."
        );
    }

    #[test]
    fn a_function_without_parameters_says_so() {
        let def = FunctionDefinition::new("Now.", "", Type::String);
        assert_eq!(signature("now", &def), "```text\nnow() string\n```");
        assert_eq!(arguments(&def), "This function takes no arguments.");
    }

    #[test]
    fn the_return_type_is_spelled_out_as_a_type_constraint() {
        let ty = Type::object([
            ("version", Type::String),
            ("screen_ids", Type::list(Type::String)),
            ("extra", Type::object([("n", Type::Number)])),
            ("any", Type::Dynamic),
        ]);
        let def = FunctionDefinition::new("S.", "", ty);
        assert_eq!(
            return_type(&def),
            "```terraform\nobject({\n  any        = any\n  extra      = object({\n    n = number\n  })\n  screen_ids = list(string)\n  version    = string\n})\n```"
        );
        assert_eq!(
            constraint(&Type::Tuple(vec![Type::Bool, Type::set(Type::Number)]), 0),
            "tuple([bool, set(number)])"
        );
    }
}
