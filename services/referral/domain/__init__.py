"""Pure rules of referrals (涉嫌犯罪案件移送): no framework, database or broker imports."""
