use pypwext::collect_errors;

#[collect_errors]
async fn load(id: u32) -> Result<Option<String>, std::io::Error> {
    Ok(Some(id.to_string()))
}

fn main() {}
