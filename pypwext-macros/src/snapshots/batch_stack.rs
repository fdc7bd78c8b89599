// inside ::pypwext::__private::feature::batch! { "batch_response" , "batch"; … }
async fn on_order(
    event: ::pypwext::__private::batch::LambdaEvent<
        ::pypwext::__private::batch::EventOf<SqsMessage>,
    >,
) -> ::core::result::Result<
    ::pypwext::__private::batch::ResponseOf<
        ::pypwext::__private::batch::EventOf<SqsMessage>,
    >,
    ::pypwext::__private::batch::Error,
> {
    #[allow(unused_imports)]
    use batch_response as _;
    #[allow(unused_imports)]
    use collect_errors as _;
    static __PYPWEXT_COLLECT_ERRORS: ::pypwext::__private::CollectErrors = ::pypwext::__private::CollectErrors {
        function: "on_order",
        line: ::core::line!(),
        root: false,
        log: true,
    };
    static __PYPWEXT_BATCH_RESPONSE: ::pypwext::__private::batch::BatchOptions = ::pypwext::__private::batch::BatchOptions {
        function: "on_order",
        line: ::core::line!(),
        concurrency: 8usize,
        skip_group_on_error: false,
        fail_whole_batch: false,
    };
    static __PYPWEXT_LOGGED: ::pypwext::__private::Logged = ::pypwext::__private::Logged {
        function: "on_order",
        line: ::core::line!(),
        location: ::core::concat!("on_order", ":", ::core::line!()),
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
        "on_order",
        ::core::line!(),
        &[],
        false,
    );
    ::pypwext::__private::inject_async(
            &__PYPWEXT_INJECT,
            ::pypwext::__private::prepare_injection(&event, &__PYPWEXT_INJECT),
            move || {
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
                                "event",
                                (&&&&::pypwext::__private::render::Wrap(&event))
                                    .pypwext_render(),
                            );
                    },
                );
                ::pypwext::__private::logged_async(
                    &__PYPWEXT_LOGGED,
                    __pypwext_entry,
                    move |__pypwext_args: &mut ::pypwext::__private::ArgsWriter| {
                        __pypwext_args.moved("event");
                    },
                    async move {
                        let (__pypwext_payload, __pypwext_context) = event.into_parts();
                        ::pypwext::__private::batch::in_invocation(
                                &__pypwext_context,
                                ::pypwext::__private::batch::process_records(
                                    &__PYPWEXT_BATCH_RESPONSE,
                                    &__pypwext_payload,
                                    &__pypwext_context,
                                    move |__pypwext_record, __pypwext_context| async move {
                                        let Json(order): Json<Order> = match ::pypwext::__private::batch::extract::<
                                            Json<Order>,
                                            _,
                                        >(__pypwext_record, __pypwext_context) {
                                            ::core::result::Result::Ok(value) => value,
                                            ::core::result::Result::Err(refused) => return refused,
                                        };
                                        let message: &SqsMessage = match ::pypwext::__private::batch::extract::<
                                            &SqsMessage,
                                            _,
                                        >(__pypwext_record, __pypwext_context) {
                                            ::core::result::Result::Ok(value) => value,
                                            ::core::result::Result::Err(refused) => return refused,
                                        };
                                        let _ = (__pypwext_record, __pypwext_context);
                                        ::pypwext::__private::batch::finish(
                                                ::pypwext::__private::collect_errors_async(
                                                    &__PYPWEXT_COLLECT_ERRORS,
                                                    async move {
                                                        #[allow(
                                                            unreachable_code,
                                                            clippy::diverging_sub_expression,
                                                            clippy::needless_return
                                                        )]
                                                        if false {
                                                            let __pypwext_declared: Result<(), PwError> = loop {};
                                                            return __pypwext_declared;
                                                        }
                                                        { store(&order).await }
                                                    },
                                                    ::pypwext::__private::absorb::<Result<(), PwError>>,
                                                ),
                                                <Result<
                                                    (),
                                                    PwError,
                                                > as ::pypwext::__private::batch::RecordResult>::into_outcome,
                                            )
                                            .await
                                    },
                                ),
                            )
                            .await
                    },
                    |
                        __pypwext_ret: &::core::result::Result<
                            ::pypwext::__private::batch::ResponseOf<
                                ::pypwext::__private::batch::EventOf<SqsMessage>,
                            >,
                            ::pypwext::__private::batch::Error,
                        >,
                        __pypwext_exit|
                    {
                        match (&&::pypwext::__private::render::ProbeOutcome(
                            __pypwext_ret,
                        ))
                            .pypwext_outcome()
                        {
                            ::pypwext::__private::render::Outcome::Value(
                                __pypwext_value,
                            ) => {
                                __pypwext_exit
                                    .value(
                                        (&&&&::pypwext::__private::render::Wrap(__pypwext_value))
                                            .pypwext_render(),
                                    )
                            }
                            ::pypwext::__private::render::Outcome::Error(
                                __pypwext_error,
                            ) => {
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
        .await
}
