// inside ::pypwext::__private::feature::service! { "service_response" , "service"; … }
// inside ::pypwext::__private::feature::idempotency! { "idempotent" , "idempotency"; … }
fn create_order(
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
    use service_response as _;
    #[allow(unused_imports)]
    use idempotent as _;
    static __PYPWEXT_IDEMPOTENT: ::pypwext::__private::idempotency::Idempotent = ::pypwext::__private::idempotency::Idempotent::new(
        "create_order",
        ::core::module_path!(),
        ::core::option::Option::None,
    );
    static __PYPWEXT_SERVICE_RESPONSE: ::pypwext::__private::service::ServiceResponse = ::pypwext::__private::service::ServiceResponse {
        function: "create_order",
        location: ::core::concat!("create_order", ":", ::core::line!()),
        just_status_code: true,
        code_from_error: true,
        always_return: true,
        collect_root: false,
    };
    static __PYPWEXT_LOGGED: ::pypwext::__private::Logged = ::pypwext::__private::Logged {
        function: "create_order",
        line: ::core::line!(),
        location: ::core::concat!("create_order", ":", ::core::line!()),
        level: ::pypwext::__private::Level::DEBUG,
        out_level: ::pypwext::__private::Level::INFO,
        classification: ::pypwext::__private::InfoClassification::Na,
        log_type: ::pypwext::__private::LogEntryType::Std,
        operation: ::core::option::Option::None,
        out_classification: ::pypwext::__private::InfoClassification::Na,
        out_log_type: ::pypwext::__private::LogEntryType::Std,
        out_operation: ::core::option::Option::None,
        log_exception: true,
    };
    static __PYPWEXT_INJECT: ::pypwext::__private::InjectLambdaContext = ::pypwext::__private::InjectLambdaContext::new(
        "create_order",
        ::core::line!(),
        &[],
        false,
    );
    ::pypwext::__private::start_handler(
        &__PYPWEXT_INJECT,
        ::pypwext::__private::prepare_injection,
        request,
        move |request| {
            #[allow(unused_imports)]
            use ::pypwext::__private::render::{
                ErrorViaDebug as _, ErrorViaDisplay as _, ErrorViaName as _,
                ErrorViaStd as _, OutcomeOfResult as _, OutcomeOfValue as _,
                ViaDebug as _, ViaLogView as _, ViaNothing as _, ViaSerialize as _,
            };
            let __pypwext_entry = ::pypwext::__private::logged_args(
                &__PYPWEXT_LOGGED,
                |__pypwext_args| {
                    __pypwext_args
                        .arg(
                            "request",
                            (&&&&::pypwext::__private::render::Wrap(&request))
                                .pypwext_render(),
                        );
                },
            );
            ::pypwext::__private::logged_async(
                &__PYPWEXT_LOGGED,
                __pypwext_entry,
                move |__pypwext_args: &mut ::pypwext::__private::ArgsWriter| {
                    __pypwext_args.moved("request");
                },
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
                                    ::pypwext::__private::idempotency::idempotent(
                                        ::pypwext::__private::idempotency::AsStore::as_store(
                                            &ORDERS,
                                        ),
                                        &__PYPWEXT_IDEMPOTENT,
                                        ::pypwext::__private::idempotency::key(&(order.id)),
                                        ::core::option::Option::Some(
                                            ::pypwext::__private::idempotency::key(&(order.total)),
                                        ),
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
                                        > as ::pypwext::__private::idempotency::IdempotentResult>::CODEC,
                                    ),
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
                |
                    __pypwext_ret: &::core::result::Result<
                        ::pypwext::__private::lambda_http::Response<
                            ::pypwext::__private::lambda_http::Body,
                        >,
                        ::pypwext::__private::lambda_http::Error,
                    >,
                    __pypwext_exit|
                {
                    match (&&::pypwext::__private::render::ProbeOutcome(__pypwext_ret))
                        .pypwext_outcome()
                    {
                        ::pypwext::__private::render::Outcome::Value(__pypwext_value) => {
                            __pypwext_exit
                                .value(
                                    (&&&&::pypwext::__private::render::Wrap(__pypwext_value))
                                        .pypwext_render(),
                                )
                        }
                        ::pypwext::__private::render::Outcome::Error(__pypwext_error) => {
                            __pypwext_exit
                                .error(
                                    (&&&&::pypwext::__private::render::WrapError(
                                        __pypwext_error,
                                    ))
                                        .pypwext_exception(),
                                )
                        }
                    }
                },
            )
        },
    )
}
