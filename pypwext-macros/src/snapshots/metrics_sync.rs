// inside ::pypwext::__private::feature::metrics! { "metrics" , "metrics"; … }
fn count(items: u32) -> Result<(), PwError> {
    static __PYPWEXT_METRICS: ::pypwext::__private::metrics::Metrics = ::pypwext::__private::metrics::Metrics {
        function: "count",
        line: ::core::line!(),
        namespace: ::core::option::Option::Some("shop"),
        service: ::core::option::Option::None,
        capture_cold_start_metric: false,
        default_dimensions: &[("environment", "prod"), ("aws-region", "eu-west-1")],
    };
    const _: () = ::pypwext::__private::metrics::assert_default_dimension(
        __PYPWEXT_METRICS.default_dimensions,
        0,
    );
    const _: () = ::pypwext::__private::metrics::assert_default_dimension(
        __PYPWEXT_METRICS.default_dimensions,
        1,
    );
    ::pypwext::__private::metrics::metrics_sync(
        &__PYPWEXT_METRICS,
        move || { add_metric("Items", MetricUnit::Count, f64::from(items)) },
    )
}
