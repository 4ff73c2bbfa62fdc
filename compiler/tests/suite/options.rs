//! Pass options in MLIR's textual syntax (`pass{name=value ...}`).

use cimc_passes::{OptionError, OptionInfo, OptionKind, Options};

static DECLARED: &[OptionInfo] = &[
    OptionInfo {
        name: "flag",
        kind: OptionKind::Bool,
        default: "false",
        help: "",
    },
    OptionInfo {
        name: "count",
        kind: OptionKind::UInt,
        default: "3",
        help: "",
    },
    OptionInfo {
        name: "offset",
        kind: OptionKind::Int,
        default: "-1",
        help: "",
    },
    OptionInfo {
        name: "mode",
        kind: OptionKind::Enum(&["fast", "exact"]),
        default: "exact",
        help: "",
    },
    OptionInfo {
        name: "label",
        kind: OptionKind::Str,
        default: "",
        help: "",
    },
    OptionInfo {
        name: "ratio",
        kind: OptionKind::Float,
        default: "99.99",
        help: "",
    },
];

fn parse(text: &str) -> Result<Options, OptionError> {
    Options::parse("test-pass", DECLARED, text)
}

#[test]
fn defaults_fill_in() {
    let options = parse("").unwrap();
    assert!(!options.bool("flag"));
    assert_eq!(options.int("count"), 3);
    assert_eq!(options.int("offset"), -1);
    assert_eq!(options.str("mode"), "exact");
    assert_eq!(options.float("ratio"), 99.99);
}

#[test]
fn float_options() {
    assert_eq!(parse("ratio=-2.5").unwrap().float("ratio"), -2.5);
    assert_eq!(parse("ratio=1e2").unwrap().float("ratio"), 100.0);
    assert_eq!(parse("ratio=7").unwrap().float("ratio"), 7.0);
    for bad in ["ratio=inf", "ratio=NaN", "ratio=1.2.3", "ratio=", "ratio"] {
        let err = parse(bad).unwrap_err();
        assert!(matches!(err, OptionError::BadValue { .. }), "{bad}: {err}");
    }
    assert_eq!(
        parse("ratio=x").unwrap_err().to_string(),
        "option 'ratio' of pass 'test-pass' expects a finite number, got 'x'"
    );
}

#[test]
fn values_quotes_braces_and_bare_flags() {
    let options = parse("flag count=7  offset=-4 mode=fast label=\"a b\"").unwrap();
    assert!(options.bool("flag"));
    assert_eq!(options.int("count"), 7);
    assert_eq!(options.int("offset"), -4);
    assert_eq!(options.str("mode"), "fast");
    assert_eq!(options.str("label"), "a b");
    let options = parse("label={x {y} z}").unwrap();
    assert_eq!(options.str("label"), "x {y} z");
}

#[test]
fn errors_name_option_and_type() {
    let err = parse("count=-2").unwrap_err().to_string();
    assert_eq!(
        err,
        "option 'count' of pass 'test-pass' expects a non-negative integer, got '-2'"
    );
    let err = parse("mode=slow").unwrap_err().to_string();
    assert_eq!(
        err,
        "option 'mode' of pass 'test-pass' expects one of fast, exact, got 'slow'"
    );
    let err = parse("colour=red").unwrap_err().to_string();
    assert!(
        err.starts_with("pass 'test-pass' has no option 'colour'; its options are: flag, count")
    );
    assert!(matches!(parse("count"), Err(OptionError::BadValue { .. })));
    assert!(matches!(
        parse("flag flag"),
        Err(OptionError::Repeated { .. })
    ));
    assert!(matches!(
        parse("label=\"open"),
        Err(OptionError::Malformed { .. })
    ));
    assert!(matches!(parse("=3"), Err(OptionError::Malformed { .. })));
}

#[test]
fn every_registered_pass_has_valid_defaults_and_docs() {
    for info in cimc_passes::all() {
        assert!(info.argument.starts_with("cim-"), "{}", info.argument);
        assert!(!info.summary.is_empty() && !info.summary.ends_with('.'));
        assert!(
            info.description.contains("Example"),
            "{} lacks an example",
            info.argument
        );
        info.parse_options("")
            .unwrap_or_else(|err| panic!("{}: {err}", info.argument));
    }
}
