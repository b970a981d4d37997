//! The IPC surface is declared once: the `#[tauri::command]` functions of `src/commands.rs`.
//!
//! From them this test writes `ui/src/bindings/Commands.ts` (every command's arguments and
//! result in TypeScript, beside the types ts-rs generates; `scripts/test.sh` fails when the
//! committed file differs), and it fails when one of the three lists that Tauri needs by name
//! differs from them: `build.rs`'s permissions, the handler list in `lib.rs` and the capability
//! `capabilities/default.json`. A command added to `commands.rs` alone therefore fails here,
//! and one removed leaves no permission or front-end call behind.
//!
//! The events are declared once the same way, as the `ShellEvent` constants of `src/events.rs`
//! (name and payload type together); this test writes `ui/src/bindings/Events.ts` from them
//! and fails when the shell sends an event by name instead of through a constant.
//!
//! Why a test and not tauri-specta: tauri-specta would replace ts-rs for the whole core (its
//! own type exporter) and is still a release candidate for Tauri 2; the signatures of 40-odd
//! commands are simple enough to read with `syn`.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use syn::{FnArg, GenericArgument, Item, PathArguments, ReturnType, Type};

fn shell_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// One command as declared in `commands.rs`.
struct Command {
    name: String,
    doc: Vec<String>,
    /// (name, TypeScript type) of the arguments the front-end sends.
    args: Vec<(String, String)>,
    result: String,
}

/// Parameters Tauri fills in itself: never sent by the front-end.
fn injected_by_tauri(ty: &Type) -> bool {
    let Type::Path(path) = ty else { return false };
    let last = path.path.segments.last().map(|segment| segment.ident.to_string()).unwrap_or_default();
    matches!(last.as_str(), "State" | "AppHandle" | "Window" | "WebviewWindow" | "Webview")
}

/// The TypeScript type of a Rust type as serde sends it; every named type is one of the ts-rs
/// bindings (recorded in `imports`).
fn typescript(ty: &Type, imports: &mut BTreeSet<String>) -> String {
    match ty {
        Type::Tuple(tuple) if tuple.elems.is_empty() => "null".into(),
        Type::Reference(reference) => typescript(&reference.elem, imports),
        Type::Path(path) => {
            let segment = path.path.segments.last().expect("a type has a name");
            let name = segment.ident.to_string();
            let inner = || match &segment.arguments {
                PathArguments::AngleBracketed(args) => args
                    .args
                    .iter()
                    .find_map(|arg| match arg {
                        GenericArgument::Type(ty) => Some(ty.clone()),
                        _ => None,
                    })
                    .unwrap_or_else(|| panic!("{name} without a type argument")),
                _ => panic!("{name} without a type argument"),
            };
            match name.as_str() {
                "String" | "str" => "string".into(),
                "bool" => "boolean".into(),
                "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "f32" | "f64" | "usize" => {
                    "number".into()
                }
                // `tauri::ipc::Response`: a binary body, which `invoke` resolves to an ArrayBuffer.
                "Response" => "ArrayBuffer".into(),
                "Vec" => format!("{}[]", typescript(&inner(), imports)),
                "Option" => format!("{} | null", typescript(&inner(), imports)),
                _ => {
                    imports.insert(name.clone());
                    name
                }
            }
        }
        other => panic!("a command type this generator does not know: {}", quote_type(other)),
    }
}

fn quote_type(ty: &Type) -> String {
    use quote::ToTokens;
    ty.to_token_stream().to_string()
}

/// The `T` of `Result<T, ErrorReport>`.
fn result_type(output: &ReturnType, command: &str) -> Type {
    let ReturnType::Type(_, ty) = output else { panic!("{command} returns nothing: commands return Result") };
    let Type::Path(path) = ty.as_ref() else { panic!("{command}: not a Result") };
    let segment = path.path.segments.last().unwrap();
    assert_eq!(segment.ident, "Result", "{command} returns a Result<_, ErrorReport>");
    let PathArguments::AngleBracketed(args) = &segment.arguments else { panic!("{command}: bare Result") };
    let mut types = args.args.iter().filter_map(|arg| match arg {
        GenericArgument::Type(ty) => Some(ty.clone()),
        _ => None,
    });
    let ok = types.next().expect("Result's value type");
    let err = types.next().map(|ty| quote_type(&ty)).unwrap_or_default();
    assert_eq!(err, "ErrorReport", "{command}'s error crosses as ErrorReport ({{code, message}})");
    ok
}

fn doc_lines(attrs: &[syn::Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .filter_map(|attr| match &attr.meta {
            syn::Meta::NameValue(named) => match &named.value {
                syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. }) => Some(text.value().trim().to_string()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// Every `#[tauri::command]` of `commands.rs`, in file order.
fn declared_commands(imports: &mut BTreeSet<String>) -> Vec<Command> {
    let source = read(&shell_dir().join("src/commands.rs"));
    let file = syn::parse_file(&source).expect("commands.rs parses");
    let mut commands = Vec::new();
    for item in file.items {
        let Item::Fn(function) = item else { continue };
        let Some(attribute) = function.attrs.iter().find(|attr| {
            let path = attr.path();
            path.segments.len() == 2 && path.segments[0].ident == "tauri" && path.segments[1].ident == "command"
        }) else {
            continue;
        };
        let name = function.sig.ident.to_string();
        // The front-end sends snake_case names (api.ts); camelCase is Tauri's default.
        let attribute_text = quote::ToTokens::to_token_stream(attribute).to_string().replace(' ', "");
        assert!(
            attribute_text.contains("rename_all=\"snake_case\""),
            "{name}: declare it with rename_all = \"snake_case\""
        );
        let mut args = Vec::new();
        for input in &function.sig.inputs {
            let FnArg::Typed(typed) = input else { panic!("{name}: a command is a free function") };
            if injected_by_tauri(&typed.ty) {
                continue;
            }
            let syn::Pat::Ident(ident) = typed.pat.as_ref() else { panic!("{name}: an argument without a name") };
            args.push((ident.ident.to_string(), typescript(&typed.ty, imports)));
        }
        let result = typescript(&result_type(&function.sig.output, &name), imports);
        commands.push(Command { name, doc: doc_lines(&function.attrs), args, result });
    }
    assert!(!commands.is_empty(), "no #[tauri::command] found in commands.rs");
    commands
}

/// `ui/src/bindings/Commands.ts`, as generated from the declarations.
fn commands_typescript(commands: &[Command], imports: &BTreeSet<String>) -> String {
    let mut out = String::from(
        "// Generated from src-tauri/src/commands.rs by src-tauri/tests/it/ipc_surface.rs. Do not edit this file manually.\n",
    );
    for name in imports {
        writeln!(out, "import type {{ {name} }} from \"./{name}\";").unwrap();
    }
    out.push_str("\n/** Every command of the desktop shell: the arguments the front-end sends and the result. */\n");
    out.push_str("export interface Commands {\n");
    for command in commands {
        write_doc(&mut out, &command.doc);
        let args = if command.args.is_empty() {
            "Record<string, never>".to_string()
        } else {
            let fields: Vec<String> = command.args.iter().map(|(name, ty)| format!("{name}: {ty}")).collect();
            format!("{{ {} }}", fields.join("; "))
        };
        writeln!(out, "  {}: {{ args: {args}; result: {} }};", command.name, command.result).unwrap();
    }
    out.push_str("}\n");
    out
}

fn names(commands: &[Command]) -> BTreeSet<String> {
    commands.iter().map(|command| command.name.clone()).collect()
}

/// The string literals between `start` and the next `end` in `text`.
fn quoted_between(text: &str, start: &str, end: &str) -> BTreeSet<String> {
    let from = text.find(start).unwrap_or_else(|| panic!("`{start}` not found")) + start.len();
    let to = from + text[from..].find(end).unwrap_or_else(|| panic!("`{end}` not found after `{start}`"));
    text[from..to].split('"').skip(1).step_by(2).map(str::to_string).collect()
}

#[test]
fn the_typescript_command_table_is_generated_from_commands_rs() {
    let mut imports = BTreeSet::new();
    let commands = declared_commands(&mut imports);
    let generated = commands_typescript(&commands, &imports);
    write_binding("Commands.ts", &generated);
    // The table names only types ts-rs exports, so a type without `#[ts(export)]` is caught here
    // rather than by tsc alone.
    for name in &imports {
        let binding = shell_dir().join(format!("../ui/src/bindings/{name}.ts"));
        assert!(binding.is_file(), "{name} is used by a command but has no binding ({})", binding.display());
    }
}

#[test]
fn build_rs_declares_a_permission_for_every_command_and_no_other() {
    let commands = names(&declared_commands(&mut BTreeSet::new()));
    let declared = quoted_between(&read(&shell_dir().join("build.rs")), "const COMMANDS: &[&str] = &[", "];");
    assert_eq!(declared, commands, "build.rs's COMMANDS must list exactly the commands of commands.rs");
}

#[test]
fn the_handler_list_registers_every_command_and_no_other() {
    let commands = names(&declared_commands(&mut BTreeSet::new()));
    let lib = read(&shell_dir().join("src/lib.rs"));
    let from = lib.find("generate_handler![").expect("lib.rs registers the commands") + "generate_handler![".len();
    let to = from + lib[from..].find(']').unwrap();
    let registered: BTreeSet<String> = lib[from..to]
        .split(',')
        .map(|entry| entry.trim().trim_start_matches("commands::").to_string())
        .filter(|entry| !entry.is_empty())
        .collect();
    assert_eq!(registered, commands, "lib.rs's generate_handler! must list exactly the commands of commands.rs");
}

#[test]
fn the_capability_grants_every_command_and_nothing_else_of_the_app() {
    let commands = names(&declared_commands(&mut BTreeSet::new()));
    let capability: serde_json::Value =
        serde_json::from_str(&read(&shell_dir().join("capabilities/default.json"))).expect("default.json is JSON");
    let granted: BTreeSet<String> = capability["permissions"]
        .as_array()
        .expect("a permission list")
        .iter()
        .filter_map(|permission| permission.as_str())
        .filter_map(|permission| permission.strip_prefix("allow-"))
        .map(|command| command.replace('-', "_"))
        .collect();
    assert_eq!(granted, commands, "capabilities/default.json must grant allow-<command> for exactly these");
}

/// One event as declared in `events.rs`: `pub const NAME: ShellEvent<Payload> = ShellEvent::new("name");`.
struct Event {
    name: String,
    doc: Vec<String>,
    payload: String,
}

/// Every event constant of `events.rs`, in file order.
fn declared_events(imports: &mut BTreeSet<String>) -> Vec<Event> {
    let source = read(&shell_dir().join("src/events.rs"));
    let file = syn::parse_file(&source).expect("events.rs parses");
    let mut events = Vec::new();
    for item in file.items {
        let Item::Const(constant) = item else { continue };
        let ident = constant.ident.to_string();
        let Type::Path(path) = constant.ty.as_ref() else { continue };
        let segment = path.path.segments.last().expect("a type has a name");
        if segment.ident != "ShellEvent" {
            continue;
        }
        let PathArguments::AngleBracketed(args) = &segment.arguments else {
            panic!("{ident}: ShellEvent without payload")
        };
        let Some(GenericArgument::Type(payload)) = args.args.first() else {
            panic!("{ident}: ShellEvent without payload")
        };
        let syn::Expr::Call(call) = constant.expr.as_ref() else {
            panic!("{ident}: declare it as ShellEvent::new(\"name\")")
        };
        let name = match call.args.first() {
            Some(syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. })) => text.value(),
            _ => panic!("{ident}: the event's name is a string literal"),
        };
        events.push(Event { name, doc: doc_lines(&constant.attrs), payload: typescript(payload, imports) });
    }
    assert!(!events.is_empty(), "no ShellEvent constant found in events.rs");
    events
}

/// `ui/src/bindings/Events.ts`, as generated from the declarations.
fn events_typescript(events: &[Event], imports: &BTreeSet<String>) -> String {
    let mut out = String::from(
        "// Generated from src-tauri/src/events.rs by src-tauri/tests/it/ipc_surface.rs. Do not edit this file manually.\n",
    );
    for name in imports {
        writeln!(out, "import type {{ {name} }} from \"./{name}\";").unwrap();
    }
    out.push_str("\n/** Every event the desktop shell sends to the window: its name and its payload. */\n");
    out.push_str("export interface Events {\n");
    for event in events {
        write_doc(&mut out, &event.doc);
        writeln!(out, "  \"{}\": {};", event.name, event.payload).unwrap();
    }
    out.push_str("}\n");
    out
}

fn write_doc(out: &mut String, doc: &[String]) {
    if doc.is_empty() {
        return;
    }
    out.push_str("  /**\n");
    for line in doc {
        let line = line.replace("*/", "* /");
        if line.is_empty() {
            out.push_str("   *\n");
        } else {
            writeln!(out, "   * {line}").unwrap();
        }
    }
    out.push_str("   */\n");
}

/// Writes `contents` to `ui/src/bindings/<file>` when it differs (the committed copy is compared
/// by scripts/test.sh, as for ts-rs's bindings).
fn write_binding(file: &str, contents: &str) {
    let path = shell_dir().join("../ui/src/bindings").join(file);
    if std::fs::read_to_string(&path).ok().as_deref() != Some(contents) {
        std::fs::write(&path, contents).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    }
}

#[test]
fn the_typescript_event_table_is_generated_from_events_rs() {
    // The shell's own payload types, exported here so that this test binary alone (without the
    // library's unit tests, where `#[ts(export)]` puts its exporting tests) keeps them current.
    use ts_rs::TS as _;
    let config = ts_rs::Config::new().with_out_dir(shell_dir().join("../ui/src/bindings"));
    merchant_intake_app::DragPosition::export(&config).expect("DragPosition.ts");
    merchant_intake_app::DroppedPaths::export(&config).expect("DroppedPaths.ts");

    let mut imports = BTreeSet::new();
    let events = declared_events(&mut imports);
    let names: BTreeSet<&str> = events.iter().map(|event| event.name.as_str()).collect();
    assert_eq!(names.len(), events.len(), "two events of events.rs share a name");
    write_binding("Events.ts", &events_typescript(&events, &imports));
    for name in &imports {
        let binding = shell_dir().join(format!("../ui/src/bindings/{name}.ts"));
        assert!(binding.is_file(), "{name} is an event's payload but has no binding ({})", binding.display());
    }
}

/// Every event goes through a constant of `events.rs` (`ShellEvent::send`), so the generated
/// table lists every event the window can receive: a raw `emit("name", …)` elsewhere fails here.
#[test]
fn the_shell_sends_events_only_through_the_declared_constants() {
    let source_dir = shell_dir().join("src");
    let mut stack = vec![source_dir.clone()];
    let mut raw = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") && path != source_dir.join("events.rs") {
                for (number, line) in read(&path).lines().enumerate() {
                    let code = line.split("//").next().unwrap_or_default();
                    if [".emit(", ".emit_to(", ".emit_filter(", ".emit_str("].iter().any(|call| code.contains(call)) {
                        raw.push(format!("{}:{}: {}", path.display(), number + 1, line.trim()));
                    }
                }
            }
        }
    }
    assert!(raw.is_empty(), "send events through a ShellEvent of events.rs, not by name:\n{}", raw.join("\n"));
}
