mod practice_signup;
