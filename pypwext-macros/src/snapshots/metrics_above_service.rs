// inside ::pypwext::__private::feature::service! { "service_response" , "service"; … }
// inside ::pypwext::__private::feature::metrics! { "metrics" , "metrics"; … }
fn handler(
    request: ::pypwext::__private::lambda_http::Request,
) -> impl ::core::future::Future<
    Output = ::core::result::Result<
        ::pypwext::__private::lambda_http::Response<
            ::pypwext::__private::lambda_http::Body,
        >,
        ::pypwext::__private::lambda_http::Error,
    >,
> {
    #[allow(unused_imports)]
    use collect_errors as _;
    #[allow(unused_imports)]
    use service_response as _;
    static __PYPWEXT_SERVICE_RESPONSE: ::pypwext::__private::service::ServiceResponse = ::pypwext::__private::service::ServiceResponse {
        function: "handler",
        location: ::core::concat!("handler", ":", ::core::line!()),
        just_status_code: true,
        code_from_error: true,
        always_return: true,
        collect_root: true,
    };
    static __PYPWEXT_METRICS: ::pypwext::__private::metrics::Metrics = ::pypwext::__private::metrics::Metrics {
        function: "handler",
        line: ::core::line!(),
        namespace: ::core::option::Option::None,
        service: ::core::option::Option::Some("orders"),
        capture_cold_start_metric: true,
        default_dimensions: &[],
    };
    static __PYPWEXT_INJECT: ::pypwext::__private::InjectLambdaContext = ::pypwext::__private::InjectLambdaContext::new(
        "handler",
        ::core::line!(),
        &[
            ::pypwext::logging::correlation_paths::API_GATEWAY_REST,
            ::pypwext::logging::correlation_paths::APPLICATION_LOAD_BALANCER,
        ],
        false,
    );
    ::pypwext::__private::start_handler(
        &__PYPWEXT_INJECT,
        ::pypwext::__private::prepare_injection,
        request,
        move |request| ::pypwext::__private::metrics::metrics_async(
            &__PYPWEXT_METRICS,
            ::pypwext::__private::service::service_response(
                &__PYPWEXT_SERVICE_RESPONSE,
                request,
                move |mut __pypwext_slot| {
                    #[allow(unused_imports)]
                    use ::pypwext::__private::service::{
                        ErrOther as _, ErrPwError as _, NotHandled as _,
                        OkIntoResponse as _, OkPwResponse as _,
                    };
                    let Json(order): Json<Order> = match ::pypwext::__private::service::extract::<
                        Json<Order>,
                    >(&mut __pypwext_slot) {
                        ::core::result::Result::Ok(value) => value,
                        ::core::result::Result::Err(error) => {
                            return ::core::result::Result::Err(error);
                        }
                    };
                    let _ = &mut __pypwext_slot;
                    ::core::result::Result::Ok(async move {
                        match ::pypwext::__private::service::split_result(
                                async move {
                                    #[allow(
                                        unreachable_code,
                                        clippy::diverging_sub_expression,
                                        clippy::needless_return
                                    )]
                                    if false {
                                        let __pypwext_declared: Result<PwResponse, PwError> = loop {};
                                        return __pypwext_declared;
                                    }
                                    { Ok(PwResponse::ok()) }
                                },
                                <Result<
                                    PwResponse,
                                    PwError,
                                > as ::pypwext::__private::service::HandlerResult>::into_result,
                            )
                            .await
                        {
                            ::core::result::Result::Ok(__pypwext_ok) => {
                                ::pypwext::__private::service::answer(
                                    (&&&::pypwext::__private::service::Probe::new(
                                        ::pypwext::__private::service::OkValue(__pypwext_ok),
                                    ))
                                        .pypwext_handled(),
                                )
                            }
                            ::core::result::Result::Err(__pypwext_err) => {
                                ::pypwext::__private::service::answer(
                                    (&&&::pypwext::__private::service::Probe::new(
                                        ::pypwext::__private::service::ErrValue(__pypwext_err),
                                    ))
                                        .pypwext_handled(),
                                )
                            }
                        }
                    })
                },
            ),
        ),
    )
}
