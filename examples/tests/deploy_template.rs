//! The SAM template (`examples/deploy/template.yaml`) as AWS deploys it:
//! translated into CloudFormation by AWS's own SAM translator
//! (`tests/py/sam_translate.py`, offline), then checked against what the
//! order service needs: its environment, active tracing, and a role that may
//! read exactly the SSM parameter and the secret it reads.

#[path = "../src/offers_parameters.rs"]
mod offers_parameters;

use std::process::Command;

use offers_parameters::{OFFERS_API_KEY, OFFERS_SERVICE};
use serde_json::Value;

fn translated() -> Value {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/py/sam_translate.py");
    let template = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/template.yaml");
    let out = Command::new(pypwext_tests::python())
        .arg(script)
        .arg(template)
        .output()
        .expect("run the SAM translator");
    assert!(
        out.status.success(),
        "SAM refused the template: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the translator prints JSON")
}

/// Every statement of the role's inline policies.
fn statements(role: &Value) -> Vec<&Value> {
    role["Properties"]["Policies"]
        .as_array()
        .expect("the role has inline policies")
        .iter()
        .flat_map(|policy| policy["PolicyDocument"]["Statement"].as_array().into_iter().flatten())
        .collect()
}

/// The statement that allows `action`.
fn allowing<'a>(statements: &[&'a Value], action: &str) -> &'a Value {
    statements
        .iter()
        .find(|statement| {
            statement["Effect"] == "Allow"
                && statement["Action"]
                    .as_array()
                    .is_some_and(|actions| actions.iter().any(|a| a == action))
        })
        .unwrap_or_else(|| panic!("no statement allows {action}: {statements:#?}"))
}

#[test]
fn the_function_is_deployed_traced_and_reading_its_parameters_from_aws() {
    let cfn = translated();
    let function = &cfn["Resources"]["OrderService"];
    assert_eq!(function["Type"], "AWS::Lambda::Function");
    let properties = &function["Properties"];
    assert_eq!(properties["Runtime"], "provided.al2023");
    assert_eq!(properties["Handler"], "bootstrap");
    assert_eq!(
        properties["TracingConfig"]["Mode"], "Active",
        "#[traced] needs sampled invocations"
    );
    let variables = &properties["Environment"]["Variables"];
    assert_eq!(variables["ORDER_SERVICE_PARAMETERS"], "aws", "{variables}");
    assert_eq!(variables["POWERTOOLS_SERVICE_NAME"], "order-service", "{variables}");
}

#[test]
fn the_role_may_write_traces_and_read_exactly_the_parameter_and_the_secret() {
    let cfn = translated();
    let role = &cfn["Resources"]["OrderServiceRole"];
    let managed = role["Properties"]["ManagedPolicyArns"].to_string();
    assert!(managed.contains("AWSXrayWriteOnlyAccess"), "{managed}");

    let statements = statements(role);
    let ssm = allowing(&statements, "ssm:GetParameter");
    // SAM's policy template: `parameter/${parameterName}`, the name without its leading slash.
    assert_eq!(
        ssm["Resource"]["Fn::Sub"][1]["parameterName"],
        OFFERS_SERVICE.trim_start_matches('/'),
        "{ssm}"
    );
    let secret = allowing(&statements, "secretsmanager:GetSecretValue");
    let arn = secret["Resource"]["Fn::Sub"][1]["secretArn"]["Fn::Sub"]
        .as_str()
        .unwrap_or_else(|| panic!("{secret}"));
    // Secrets Manager adds 6 random characters to a secret's ARN.
    assert!(arn.ends_with(&format!(":secret:{OFFERS_API_KEY}-*")), "{arn}");
}

#[test]
fn both_routes_reach_the_function() {
    let cfn = translated();
    let resources = cfn["Resources"].as_object().expect("resources");
    let routes: Vec<String> = resources
        .values()
        .filter(|resource| resource["Type"] == "AWS::Lambda::Permission")
        .map(|permission| permission["Properties"]["SourceArn"]["Fn::Sub"][0].to_string())
        .collect();
    for route in ["/POST/orders", "/POST/offers"] {
        assert!(
            routes.iter().any(|arn| arn.trim_end_matches('"').ends_with(route)),
            "{route} in {routes:?}"
        );
    }
}
