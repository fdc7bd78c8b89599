::core::compile_error! {
    "`skip(nothing)`: `handler` has no parameter `nothing`; its parameters are `request`"
}
::core::compile_error! {
    "`#[service_response]` needs an `async fn`: the handler it makes is async; write `async fn handler`"
}
::core::compile_error! {
    "`#[collect_errors(root)]` below `#[service_response]`: the response could never see the errors it collects; move it above `#[service_response]`"
}
fn handler(order: Json<Order>) -> Result<PwResponse, PwError> {
    Ok(PwResponse::ok())
}
