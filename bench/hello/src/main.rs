//! Hello world on `lambda_http`, the cold-start floor the bench compares every function to.

use lambda_http::{service_fn, Body, Error, Request, Response};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::run(service_fn(|_req: Request| async {
        Ok::<_, Error>(
            Response::builder()
                .status(200)
                .body(Body::Text("hello".into()))?,
        )
    }))
    .await
}
