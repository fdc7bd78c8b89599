// inside ::pypwext::__private::feature::idempotency! { "idempotent" , "idempotency"; … }
async fn charge(
    payment_id: &str,
    cents: u32,
    context: &Context,
) -> Result<Receipt, PwError> {
    static __PYPWEXT_IDEMPOTENT: ::pypwext::__private::idempotency::Idempotent = ::pypwext::__private::idempotency::Idempotent::new(
        "charge",
        ::core::module_path!(),
        ::core::option::Option::Some("payments.charge"),
    );
    ::pypwext::__private::idempotency::idempotent(
            ::pypwext::__private::idempotency::AsStore::as_store(&PAYMENTS),
            &__PYPWEXT_IDEMPOTENT,
            ::pypwext::__private::idempotency::KeyObject::new()
                .field("payment_id", &payment_id)
                .field("cents", &cents)
                .finish(),
            ::core::option::Option::None,
            async move {
                #[allow(
                    unreachable_code,
                    clippy::diverging_sub_expression,
                    clippy::needless_return
                )]
                if false {
                    let __pypwext_declared: Result<Receipt, PwError> = loop {};
                    return __pypwext_declared;
                }
                { Ok(Receipt::new(payment_id, cents)) }
            },
            <Result<
                Receipt,
                PwError,
            > as ::pypwext::__private::idempotency::IdempotentResult>::CODEC,
        )
        .await
}
