//! Pass options in MLIR's textual syntax (`pass{name=value ...}`).

use cimc_passes::{OptionError, OptionInfo, OptionKind, Options};

cimc_passes::pass_options! {
    /// Options of every kind, as a pass declares them.
    struct TestOptions {
        flag: bool = ("flag", "false", ""),
        count: u32 = ("count", "3", ""),
        offset: i64 = ("offset", "-1", ""),
        mode: String = ("mode", "exact", "", one_of ["fast", "exact"]),
        label: String = ("label", "", ""),
        ratio: f64 = ("ratio", "99.99", ""),
    }
}

static DECLARED: &[OptionInfo] = TestOptions::INFO;

fn parse(text: &str) -> Result<TestOptions, OptionError> {
    Options::parse("test-pass", DECLARED, text).map(|options| TestOptions::from(&options))
}

#[test]
fn declared_kinds_follow_the_field_types() {
    let kinds: Vec<OptionKind> = DECLARED.iter().map(|info| info.kind).collect();
    assert_eq!(
        kinds,
        [
            OptionKind::Bool,
            OptionKind::UInt,
            OptionKind::Int,
            OptionKind::Enum(&["fast", "exact"]),
            OptionKind::Str,
            OptionKind::Float,
        ]
    );
}

#[test]
fn defaults_fill_in() {
    let options = parse("").unwrap();
    assert_eq!(
        options,
        TestOptions {
            flag: false,
            count: 3,
            offset: -1,
            mode: "exact".into(),
            label: String::new(),
            ratio: 99.99,
        }
    );
}

#[test]
fn float_options() {
    assert_eq!(parse("ratio=-2.5").unwrap().ratio, -2.5);
    assert_eq!(parse("ratio=1e2").unwrap().ratio, 100.0);
    assert_eq!(parse("ratio=7").unwrap().ratio, 7.0);
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
    assert!(options.flag);
    assert_eq!(options.count, 7);
    assert_eq!(options.offset, -4);
    assert_eq!(options.mode, "fast");
    assert_eq!(options.label, "a b");
    let options = parse("label={x {y} z}").unwrap();
    assert_eq!(options.label, "x {y} z");
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
