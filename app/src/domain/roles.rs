//! Who someone is in the PEP process. A person has one role; what they can reach follows from
//! their assignments to children (see `policy`).

use super::text_enum;

text_enum! {
    /// A person's role in the council's ePEP.
    Role, "role" {
        VirtualSchoolHead = "virtual_school_head", "Virtual School head";
        EducationAdvisor = "education_advisor", "Virtual School education advisor";
        DesignatedTeacher = "designated_teacher", "designated teacher";
        SocialWorker = "social_worker", "social worker";
        Carer = "carer", "carer";
        YoungPerson = "young_person", "young person";
    }
}

impl Role {
    /// Virtual School staff oversee every child the council looks after.
    pub fn is_virtual_school(self) -> bool {
        matches!(self, Role::VirtualSchoolHead | Role::EducationAdvisor)
    }

    /// Professional roles must use a second factor to sign in.
    pub fn is_professional(self) -> bool {
        !matches!(self, Role::Carer | Role::YoungPerson)
    }
}
