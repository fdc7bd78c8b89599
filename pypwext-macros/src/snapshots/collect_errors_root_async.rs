pub async fn import_all(rows: Vec<Row>) -> Result<(), PwError> {
    static __PYPWEXT_COLLECT_ERRORS: ::pypwext::__private::CollectErrors = ::pypwext::__private::CollectErrors {
        function: "import_all",
        line: ::core::line!(),
        root: true,
        log: true,
    };
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
                {
                    for row in rows {
                        import(row).await?;
                    }
                    Ok(())
                }
            },
            ::pypwext::__private::absorb::<Result<(), PwError>>,
        )
        .await
}
