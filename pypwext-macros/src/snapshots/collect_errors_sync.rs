fn parse_quantity(text: &str) -> Result<Option<u32>, PwError> {
    static __PYPWEXT_COLLECT_ERRORS: ::pypwext::__private::CollectErrors = ::pypwext::__private::CollectErrors {
        function: "parse_quantity",
        line: ::core::line!(),
        root: false,
        log: true,
    };
    ::pypwext::__private::collect_errors_sync(
        &__PYPWEXT_COLLECT_ERRORS,
        move || { Ok(Some(text.parse()?)) },
        ::pypwext::__private::absorb::<Result<Option<u32>, PwError>>,
    )
}
