// inside ::pypwext::__private::feature::http! { "http_method" , "http"; … }
async fn delete(id: u32) -> Result<Option<u16>, PwError> {
    static __PYPWEXT_HTTP_CALL: ::pypwext::__private::http::HttpCall = ::pypwext::__private::http::HttpCall {
        function: "delete",
        method: "DELETE",
        url: &[
            ::pypwext::__private::http::Piece {
                part: ::pypwext::__private::http::Part::Literal("https://"),
                place: ::pypwext::__private::http::Place::Host,
            },
            ::pypwext::__private::http::Piece {
                part: ::pypwext::__private::http::Part::Literal("api.example.com"),
                place: ::pypwext::__private::http::Place::Host,
            },
            ::pypwext::__private::http::Piece {
                part: ::pypwext::__private::http::Part::Literal("/items/"),
                place: ::pypwext::__private::http::Place::Path,
            },
            ::pypwext::__private::http::Piece {
                part: ::pypwext::__private::http::Part::Arg(0usize),
                place: ::pypwext::__private::http::Place::Path,
            },
        ],
        query: &[],
        headers: &[],
        arg_names: &["id"],
    };
    async move {
        #[allow(
            unreachable_code,
            clippy::diverging_sub_expression,
            clippy::needless_return
        )]
        if false {
            let __pypwext_declared: Result<Option<u16>, PwError> = loop {};
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
                &[&id as &dyn ::core::fmt::Display],
                ::core::option::Option::None,
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
            let __pypwext_answer = match ::pypwext::__private::http::read(
                    "delete",
                    __pypwext_answer,
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
            let response_code: StatusCode = __pypwext_answer.status();
            let response: HttpResponse = ::core::convert::From::from(__pypwext_answer);
            {
                let _ = response.text();
                Ok(Some(response_code.as_u16()))
            }
        }
    }
        .await
}
