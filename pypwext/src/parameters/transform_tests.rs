use std::collections::BTreeMap;

use secrecy::ExposeSecret as _;

use super::*;

#[derive(Debug, serde::Deserialize, PartialEq)]
struct Config {
    limits: Limits,
}

#[derive(Debug, serde::Deserialize, PartialEq)]
struct Limits {
    max_items: u32,
}

fn ssm(name: &'static str) -> Fetch {
    Fetch::Ssm { name: name.into() }
}

fn text(value: &str) -> Fetched {
    Fetched::Text(value.to_owned())
}

#[test]
fn text_json_and_base64_of_one_value() {
    let request = ssm("/shop/config");
    assert_eq!(
        <Text as Decode<One>>::decode(&request, &text("plain")).unwrap(),
        "plain"
    );
    assert_eq!(
        <Json<Config> as Decode<One>>::decode(&request, &text(r#"{"limits": {"max_items": 3}}"#)).unwrap(),
        Config {
            limits: Limits { max_items: 3 }
        }
    );
    assert_eq!(
        <Base64 as Decode<One>>::decode(&request, &text("aGk=\n")).unwrap(),
        b"hi",
        "surrounding whitespace is not part of the value"
    );
    assert_eq!(
        <Json<Vec<u8>> as Decode<One>>::decode(&request, &Fetched::Bytes(b"[1,2]".to_vec())).unwrap(),
        [1, 2]
    );
}

#[test]
fn a_json_error_names_the_value_the_field_and_the_type_never_the_value() {
    let request = ssm("/shop/config");
    let wrong =
        <Json<Config> as Decode<One>>::decode(&request, &text(r#"{"limits": {"max_items": "hunter2"}}"#)).unwrap_err();
    assert_eq!(wrong.code(), 500);
    assert_eq!(
        wrong.message(),
        "the SSM parameter `/shop/config` does not fit `Config` at `limits.max_items`: a value of the wrong type or out of range; fix the value or the type"
    );
    let missing = <Json<Config> as Decode<One>>::decode(&request, &text(r#"{"limits": {}}"#)).unwrap_err();
    assert_eq!(
        missing.message(),
        "the SSM parameter `/shop/config` does not fit `Config` at `limits`: missing field `max_items`; fix the value or the type"
    );
    for broken in ["{\"limits\": hunter2", "{\"limits\": {\"max_items\": 1}} hunter2"] {
        let err = <Json<Config> as Decode<One>>::decode(&request, &text(broken)).unwrap_err();
        assert!(
            err.message()
                .starts_with("the SSM parameter `/shop/config` is not JSON (line 1, column "),
            "{}",
            err.message()
        );
        assert!(!err.message().contains("hunter2"));
    }
    let whole = <Json<u32> as Decode<One>>::decode(&request, &text("\"hunter2\"")).unwrap_err();
    assert_eq!(
        whole.message(),
        "the SSM parameter `/shop/config` does not fit `u32` as a whole: a value of the wrong type or out of range; fix the value or the type"
    );
}

#[test]
fn base64_and_utf8_errors_say_what_to_store() {
    let request = ssm("/shop/logo");
    let err = <Base64 as Decode<One>>::decode(&request, &text("not base64!")).unwrap_err();
    assert_eq!(
        (err.code().as_u16(), err.message()),
        (
            500,
            "the SSM parameter `/shop/logo` is not base64 (the standard alphabet, padded); store the bytes base64-encoded"
        )
    );
    let err = <Text as Decode<One>>::decode(&request, &Fetched::Bytes(vec![0xff])).unwrap_err();
    assert_eq!(
        err.message(),
        "the SSM parameter `/shop/logo` is not UTF-8 text; store text, or read it with `.base64()`"
    );
}

#[test]
fn a_secret_comes_back_as_a_secret() {
    let request = Fetch::Secret {
        name: "shop/api-key".into(),
    };
    let key = <Text as Decode<Secret>>::decode(&request, &text("hunter2")).unwrap();
    assert_eq!(key.expose_secret(), "hunter2");
    let bytes = <Base64 as Decode<Secret>>::decode(&request, &text("aGk=")).unwrap();
    assert_eq!(bytes.expose_secret(), b"hi");
    #[derive(serde::Deserialize)]
    struct Db {
        user: String,
        password: SecretString,
    }
    let db = <Json<Db> as Decode<Secret>>::decode(&request, &text(r#"{"user":"ada","password":"hunter2"}"#)).unwrap();
    assert_eq!((db.user.as_str(), db.password.expose_secret()), ("ada", "hunter2"));
}

#[test]
fn several_values_each_transformed_and_an_error_names_its_key() {
    let request = Fetch::SsmPath {
        path: "/shop/".into(),
        recursive: true,
    };
    let values = Fetched::Many(BTreeMap::from([
        ("limits.json".to_owned(), r#"{"max_items": 3}"#.to_owned()),
        ("logo.binary".to_owned(), "aGk=".to_owned()),
        ("stage".to_owned(), "prod".to_owned()),
    ]));
    let auto = <Auto as Decode<Path>>::decode(&request, &values).unwrap();
    assert_eq!(
        auto,
        BTreeMap::from([
            (
                "limits.json".to_owned(),
                AutoValue::Json(serde_json::json!({"max_items": 3}))
            ),
            ("logo.binary".to_owned(), AutoValue::Bytes(b"hi".to_vec())),
            ("stage".to_owned(), AutoValue::Text("prod".to_owned())),
        ])
    );
    assert_eq!(
        <Text as Decode<Path>>::decode(&request, &values).unwrap()["stage"],
        "prod"
    );
    let err = <Json<Limits> as Decode<Path>>::decode(&request, &values).unwrap_err();
    assert!(
        err.message()
            .starts_with("the `logo.binary` of the SSM parameters under `/shop/` is not JSON"),
        "{}",
        err.message()
    );
}

#[test]
fn auto_on_one_value_goes_by_its_name() {
    let value = <Auto as Decode<One>>::decode(&ssm("/shop/flags.json"), &text(r#"{"beta": true}"#)).unwrap();
    assert_eq!(value, AutoValue::Json(serde_json::json!({"beta": true})));
    let value = <Auto as Decode<One>>::decode(&ssm("/shop/flags"), &text(r#"{"beta": true}"#)).unwrap();
    assert_eq!(value, AutoValue::Text(r#"{"beta": true}"#.to_owned()));
}

#[test]
fn a_source_that_answers_the_wrong_shape_is_a_502() {
    let err = <Text as Decode<One>>::decode(&ssm("/x"), &Fetched::Many(BTreeMap::new())).unwrap_err();
    assert_eq!(err.code(), 502);
    assert_eq!(
        err.message(),
        "the parameters source answered several values for the SSM parameter `/x`, which asks for one; fix the source"
    );
}
