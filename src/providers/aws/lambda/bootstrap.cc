// The `bootstrap` of every FaaSKeeper function on Lambda (provided.al2023). The function's
// Handler setting (env _HANDLER) selects writer, distributor, watch or heartbeat; see
// functions.h and docs/aws.md.
#include "providers/aws/lambda/functions.h"

int main() { return faaskeeper::aws::lambda_main(faaskeeper::aws::init_aws_function); }
