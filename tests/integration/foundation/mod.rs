mod bad_input;
mod contract_limits;
mod members;
mod one_time_codes;
mod org;
mod practice_signup;
mod template_agrees;
mod template_privileges;
