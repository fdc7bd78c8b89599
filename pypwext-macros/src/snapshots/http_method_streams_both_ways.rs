// inside ::pypwext::__private::feature::http! { "http_method" , "http"; … }
async fn copy(
    name: &str,
    data: pypwext::http::BodyStream,
) -> Result<HttpStream, PwError> {
    static __PYPWEXT_HTTP_CALL: ::pypwext::__private::http::HttpCall = ::pypwext::__private::http::HttpCall {
        function: "copy",
        method: "PUT",
        url: &[
            ::pypwext::__private::http::Piece {
                part: ::pypwext::__private::http::Part::Literal("https://"),
                place: ::pypwext::__private::http::Place::Host,
            },
            ::pypwext::__private::http::Piece {
                part: ::pypwext::__private::http::Part::Literal("files.example.com"),
                place: ::pypwext::__private::http::Place::Host,
            },
            ::pypwext::__private::http::Piece {
                part: ::pypwext::__private::http::Part::Literal("/"),
                place: ::pypwext::__private::http::Place::Path,
            },
            ::pypwext::__private::http::Piece {
                part: ::pypwext::__private::http::Part::Arg(0usize),
                place: ::pypwext::__private::http::Place::Path,
            },
        ],
        query: &[],
        headers: &[],
        arg_names: &["name"],
    };
    async move {
        #[allow(
            unreachable_code,
            clippy::diverging_sub_expression,
            clippy::needless_return
        )]
        if false {
            let __pypwext_declared: Result<HttpStream, PwError> = loop {};
            return __pypwext_declared;
        }
        {
            #[allow(unused_imports)]
            use ::pypwext::__private::http::{
                BodyBytes as _, BodyJson as _, BodyText as _, DecodeJson as _,
                DecodeLambda as _, DecodeResponse as _, DecodeStream as _,
                DecodeText as _, DecodeUnit as _,
            };
            let __pypwext_session = match ::pypwext::__private::http::shared_session() {
                ::core::result::Result::Ok(session) => session,
                ::core::result::Result::Err(error) => {
                    return ::core::result::Result::Err(
                        ::core::convert::From::from(error),
                    );
                }
            };
            let __pypwext_request = ::pypwext::__private::http::prepare(
                &__PYPWEXT_HTTP_CALL,
                __pypwext_session,
                &[&name as &dyn ::core::fmt::Display],
                ::core::option::Option::Some(
                    ::pypwext::__private::http::stream_body(data),
                ),
            );
            let __pypwext_answer = match ::pypwext::__private::http::send(
                    __pypwext_request,
                )
                .await
            {
                ::core::result::Result::Ok(answer) => answer,
                ::core::result::Result::Err(error) => {
                    return ::core::result::Result::Err(
                        ::core::convert::From::from(error),
                    );
                }
            };
            (&&&&::pypwext::__private::http::DecodeProbe::<HttpStream>::new())
                .pypwext_decode(__pypwext_answer, "copy")
                .await
                .map_err(::core::convert::From::from)
        }
    }
        .await
}
