//! Snapshots of what the main stacks expand into, formatted, one file per
//! stack under `src/snapshots/`, so a reader can open and review each one.
//! `UPDATE_EXPECT=1 cargo test -p pypwext-macros` rewrites them after an
//! intended change of the generated code.

use expect_test::{ExpectFile, expect_file};
use proc_macro2::TokenStream;
use quote::quote;

use crate::ast::LayerKind;
use crate::expand_stack;

/// Expands `item` under the attribute `top` with `args`, as the compiler would
/// call the topmost pypwext attribute, and formats the result.
/// A stack that needs a cargo feature wraps the function in that feature's
/// check (`::pypwext::__private::feature::http! { "http_method", "http"; fn … }`);
/// the formatter cannot see into a macro's tokens, so the check is written as
/// a comment line above the function it gives back.
fn expand_pretty(top: LayerKind, args: TokenStream, item: TokenStream) -> String {
    let expanded = expand_stack(top, args, item);
    let mut file = match syn::parse2::<syn::File>(expanded.clone()) {
        Ok(file) => file,
        Err(err) => panic!("the expansion is not a file of items ({err}):\n{expanded}"),
    };
    // Feature checks nest (`feature::service! { …; feature::metrics! { … } }`):
    // one comment line for each, outermost first.
    let mut checks = String::new();
    while let [syn::Item::Macro(check)] = file.items.as_slice()
        && check
            .mac
            .path
            .segments
            .iter()
            .rev()
            .nth(1)
            .is_some_and(|s| s.ident == "feature")
    {
        let path = &check.mac.path;
        let tokens: Vec<proc_macro2::TokenTree> = check.mac.tokens.clone().into_iter().collect();
        let semi = tokens
            .iter()
            .position(|t| matches!(t, proc_macro2::TokenTree::Punct(p) if p.as_char() == ';'))
            .unwrap_or_else(|| panic!("the feature check names its attribute and feature: {tokens:?}"));
        let head: TokenStream = tokens[..semi].iter().cloned().collect();
        checks.push_str(&format!(
            "// inside {}! {{ {}; … }}\n",
            quote!(#path).to_string().replace(' ', ""),
            head
        ));
        file = syn::parse2(tokens[semi + 1..].iter().cloned().collect())
            .unwrap_or_else(|err| panic!("the feature check holds no items ({err})"));
    }
    format!("{checks}{}", prettyplease::unparse(&file))
}

fn check(top: LayerKind, args: TokenStream, item: TokenStream, expected: ExpectFile) {
    expected.assert_eq(&expand_pretty(top, args, item));
}

#[test]
fn collect_errors_sync() {
    check(
        LayerKind::CollectErrors,
        quote!(),
        quote! {
            fn parse_quantity(text: &str) -> Result<Option<u32>, PwError> {
                Ok(Some(text.parse()?))
            }
        },
        expect_file!["snapshots/collect_errors_sync.rs"],
    );
}

#[test]
fn collect_errors_root_async() {
    check(
        LayerKind::CollectErrors,
        quote!(root),
        quote! {
            pub async fn import_all(rows: Vec<Row>) -> Result<(), PwError> {
                for row in rows {
                    import(row).await?;
                }
                Ok(())
            }
        },
        expect_file!["snapshots/collect_errors_root_async.rs"],
    );
}

#[test]
fn logged_sync() {
    check(
        LayerKind::Logged,
        quote!(
            level = "info",
            classification = Pii,
            operation = "check-login",
            skip(attempt),
            redact(password)
        ),
        quote! {
            fn check_login(user: &str, password: &str, attempt: u32) -> Result<bool, PwError> {
                Ok(user == "admin" && password == "secret" && attempt < 3)
            }
        },
        expect_file!["snapshots/logged_sync.rs"],
    );
}

#[test]
fn logged_async() {
    check(
        LayerKind::Logged,
        quote!(out_level = "debug", log_type = Audit, log_exception = false),
        quote! {
            async fn total(prices: Vec<u64>) -> u64 {
                prices.iter().sum()
            }
        },
        expect_file!["snapshots/logged_async.rs"],
    );
}

#[test]
fn logged_inject_lambda_context() {
    check(
        LayerKind::Logged,
        quote!(inject_lambda_context, log_event, correlation_id_path = "detail.orderId"),
        quote! {
            async fn handler(event: LambdaEvent<serde_json::Value>) -> Result<serde_json::Value, Error> {
                Ok(event.payload)
            }
        },
        expect_file!["snapshots/logged_inject_lambda_context.rs"],
    );
}

#[test]
fn service_stack() {
    check(
        LayerKind::Logged,
        quote!(operation = "create-offer"),
        quote! {
            #[collect_errors(root)]
            #[service_response(just_status_code = false)]
            async fn handler(Json(order): Json<Order>, raw: Request) -> Result<PwResponse, PwError> {
                Ok(PwResponse::new(StatusCode::CREATED).with_field("id", order.id))
            }
        },
        expect_file!["snapshots/service_stack.rs"],
    );
}

#[test]
fn http_method_stack() {
    check(
        LayerKind::CollectErrors,
        quote!(),
        quote! {
            #[logged]
            #[http_method(
                method = "POST",
                url = "https://{STAGE}.example.com/{api_version}/offers",
                params(email = "{email}"),
                headers("x-request-id" = "{id}"),
                body = customer,
            )]
            async fn send_offer(api_version: &str, email: &str, id: u64, customer: &Customer) -> Result<Option<Created>, PwError> {}
        },
        expect_file!["snapshots/http_method_stack.rs"],
    );
}

#[test]
fn http_method_with_response_params() {
    check(
        LayerKind::HttpMethod,
        quote!(method = "DELETE", url = "https://api.example.com/items/{id}"),
        quote! {
            async fn delete(id: u32, response: HttpResponse, response_code: StatusCode) -> Result<Option<u16>, PwError> {
                let _ = response.text();
                Ok(Some(response_code.as_u16()))
            }
        },
        expect_file!["snapshots/http_method_with_response_params.rs"],
    );
}

#[test]
fn http_method_streams_both_ways() {
    check(
        LayerKind::HttpMethod,
        quote!(method = "PUT", url = "https://files.example.com/{name}", body = data),
        quote! {
            async fn copy(name: &str, data: pypwext::http::BodyStream) -> Result<HttpStream, PwError> {}
        },
        expect_file!["snapshots/http_method_streams_both_ways.rs"],
    );
}

#[test]
fn http_method_lambda_invocation() {
    check(
        LayerKind::HttpMethod,
        quote!(
            method = "FUNC",
            url = "orders-{STAGE}",
            params(tenant = "{tenant}"),
            body = payload,
            session = LAMBDA
        ),
        quote! {
            async fn create_order(tenant: &str, payload: &Order) -> Result<Receipt, PwError> {}
        },
        expect_file!["snapshots/http_method_lambda_invocation.rs"],
    );
}

#[test]
fn metrics_sync() {
    check(
        LayerKind::Metrics,
        quote!(
            namespace = "shop",
            default_dimensions(environment = "prod", "aws-region" = "eu-west-1")
        ),
        quote! {
            fn count(items: u32) -> Result<(), PwError> {
                add_metric("Items", MetricUnit::Count, f64::from(items))
            }
        },
        expect_file!["snapshots/metrics_sync.rs"],
    );
}

#[test]
fn metrics_above_a_service_response() {
    check(
        LayerKind::Metrics,
        quote!(capture_cold_start_metric, service = "orders"),
        quote! {
            #[collect_errors(root)]
            #[service_response]
            async fn handler(Json(order): Json<Order>) -> Result<PwResponse, PwError> {
                Ok(PwResponse::ok())
            }
        },
        expect_file!["snapshots/metrics_above_service.rs"],
    );
}

#[test]
fn metrics_below_a_service_response() {
    check(
        LayerKind::Logged,
        quote!(),
        quote! {
            #[service_response]
            #[pypwext::metrics(namespace = "shop")]
            async fn handler() -> Result<PwResponse, PwError> {
                Ok(PwResponse::ok())
            }
        },
        expect_file!["snapshots/metrics_below_service.rs"],
    );
}

#[test]
fn broken_stack_reports_every_error_and_keeps_the_function() {
    check(
        LayerKind::Logged,
        quote!(skip(nothing)),
        quote! {
            #[service_response]
            #[collect_errors(root)]
            fn handler(order: Json<Order>) -> Result<PwResponse, PwError> {
                Ok(PwResponse::ok())
            }
        },
        expect_file!["snapshots/broken_stack.rs"],
    );
}

#[test]
fn batch_stack() {
    check(
        LayerKind::Logged,
        quote!(inject_lambda_context),
        quote! {
            #[batch_response(concurrency = 8, fail_whole_batch = false)]
            #[collect_errors]
            async fn on_order(Json(order): Json<Order>, message: &SqsMessage) -> Result<(), PwError> {
                store(&order).await
            }
        },
        expect_file!["snapshots/batch_stack.rs"],
    );
}

#[test]
fn traced_handler_above_logged_and_a_service_response() {
    check(
        LayerKind::Traced,
        quote!(),
        quote! {
            #[logged(inject_lambda_context)]
            #[service_response]
            async fn handler(Json(order): Json<Order>) -> Result<PwResponse, PwError> {
                Ok(PwResponse::ok())
            }
        },
        expect_file!["snapshots/traced_handler.rs"],
    );
}

#[test]
fn traced_alone_on_a_lambda_event_handler_runs_as_its_event_s_invocation() {
    check(
        LayerKind::Traced,
        quote!(),
        quote! {
            async fn handler(event: LambdaEvent<Order>) -> Result<Value, Error> {
                Ok(json!({"id": event.payload.id}))
            }
        },
        expect_file!["snapshots/traced_event_handler.rs"],
    );
}

#[test]
fn idempotent_below_a_service_response() {
    check(
        LayerKind::Logged,
        quote!(inject_lambda_context),
        quote! {
            #[service_response]
            #[idempotent(store = ORDERS, key = order.id, validate = order.total)]
            async fn create_order(Json(order): Json<Order>) -> Result<PwResponse, PwError> {
                Ok(PwResponse::ok())
            }
        },
        expect_file!["snapshots/idempotent_below_service.rs"],
    );
}

#[test]
fn traced_sync_with_arguments() {
    check(
        LayerKind::Traced,
        quote!(capture_response = false, capture_error = true, name = "reserve stock"),
        quote! {
            fn reserve(order_id: u64) -> Result<(), PwError> {
                Ok(())
            }
        },
        expect_file!["snapshots/traced_sync.rs"],
    );
}

#[test]
fn idempotent_alone_with_the_default_key_of_several_parameters() {
    check(
        LayerKind::Idempotent,
        quote!(store = PAYMENTS, key_prefix = "payments.charge"),
        quote! {
            async fn charge(payment_id: &str, cents: u32, context: &Context) -> Result<Receipt, PwError> {
                Ok(Receipt::new(payment_id, cents))
            }
        },
        expect_file!["snapshots/idempotent_alone.rs"],
    );
}
